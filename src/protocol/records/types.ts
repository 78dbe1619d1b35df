// Small shared types of the records layer.

export enum TimestampType {
  /** Magic v0 messages carry no timestamp. */
  NoTimestamp = -1,
  CreateTime = 0,
  LogAppendTime = 1,
}

/** Magic bytes of the three message formats. */
export const MAGIC_V0 = 0;
export const MAGIC_V1 = 1;
export const MAGIC_V2 = 2;
