// placeholder, replaced below
export class Admin {}
