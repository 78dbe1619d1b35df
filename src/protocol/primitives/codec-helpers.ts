// Small error constructors the generated codecs call; kept out of line so generated code stays short.

import { ProtocolError } from '../errors.js';

export function unsupportedVersion(message: string, version: number): ProtocolError {
  return new ProtocolError('UNSUPPORTED_VERSION', `${message} does not support version ${version}`);
}

/** A non-ignorable field holds a non-default value but the chosen version has no place for it. */
export function unsupportedField(message: string, field: string, version: number): ProtocolError {
  return new ProtocolError(
    'UNSUPPORTED_FIELD',
    `${message}.${field} is set to a non-default value, which version ${version} cannot carry`,
  );
}

/** Returns v, or throws when a field that is not nullable in this version holds null. */
export function nonNull<T>(v: T | null, field: string): T {
  if (v === null) throw new ProtocolError('NULL_NOT_ALLOWED', `${field} is null but not nullable in this version`);
  return v;
}
