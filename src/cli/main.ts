// Entry point of the `gregor` command. Subcommands are registered here as they land.
export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  if (cmd === 'server') {
    console.log('gregor server: the broker lands with issue 4; this build has the protocol layer only.');
    return 0;
  }
  console.log('usage: gregor <server|topics|console-producer|console-consumer|...> [options]');
  return cmd ? 1 : 0;
}
