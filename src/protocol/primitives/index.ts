export { Reader } from './reader.js';
export { Writer, ZERO_UUID, varintSize } from './writer.js';
export type { TaggedField } from './tagged-fields.js';
export {
  EMPTY_BUFFER,
  readUnknownTaggedFields,
  readUnknownTaggedField,
  writeUnknownTaggedFields,
  writeUnknownTaggedFieldsBelow,
  sortedByTag,
  taggedSizeMismatch,
} from './tagged-fields.js';
export { unsupportedVersion, unsupportedField, nonNull } from './codec-helpers.js';
