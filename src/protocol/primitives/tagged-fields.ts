// Runtime helpers for tagged fields that generated code shares. Known tagged fields are encoded/decoded
// inline by the generated code; these helpers handle the *unknown* ones, which are kept as raw bytes so a
// message can be decoded and re-encoded without losing fields a newer peer added.

import { ProtocolError } from '../errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** A tagged field this code does not know, kept verbatim. */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

/**
 * Reads a tagged-field section that contains no known fields (the common case), returning the unknown
 * fields or undefined when there are none. Each field needs at least 2 bytes, so the loop is bounded by
 * the input size.
 */
export function readUnknownTaggedFields(r: Reader): TaggedField[] | undefined {
  const n = r.readUnsignedVarint();
  if (n === 0) return undefined;
  r.checkCount(n, 2);
  const out: TaggedField[] = [];
  for (let i = 0; i < n; i++) out.push(readUnknownTaggedField(r, r.readUnsignedVarint()));
  return out;
}

/** Reads the size and bytes of one tagged field whose tag was already read. */
export function readUnknownTaggedField(r: Reader, tag: number): TaggedField {
  const size = r.readUnsignedVarint();
  return { tag, data: r.readRawBytes(size) };
}

/** Writes a tagged-field section made only of unknown (raw) fields. */
export function writeUnknownTaggedFields(w: Writer, fields: readonly TaggedField[] | undefined): void {
  if (fields === undefined || fields.length === 0) {
    w.writeUnsignedVarint(0);
    return;
  }
  const sorted = sortedByTag(fields);
  w.writeUnsignedVarint(sorted.length);
  for (const f of sorted) writeOne(w, f);
}

/**
 * Writes unknown fields, starting at index `from` of `sorted`, whose tag is below `limit`; returns the index
 * of the first one not written. Generated code calls it before each known tag so the section stays in
 * ascending tag order as the protocol requires.
 */
export function writeUnknownTaggedFieldsBelow(
  w: Writer,
  sorted: readonly TaggedField[],
  from: number,
  limit: number,
): number {
  let i = from;
  while (i < sorted.length && sorted[i]!.tag < limit) writeOne(w, sorted[i++]!);
  return i;
}

/** The fields in ascending tag order (the same array when already sorted, the usual case). */
export function sortedByTag(fields: readonly TaggedField[]): readonly TaggedField[] {
  for (let i = 1; i < fields.length; i++) {
    if (fields[i]!.tag < fields[i - 1]!.tag) return [...fields].sort((a, b) => a.tag - b.tag);
  }
  return fields;
}

function writeOne(w: Writer, f: TaggedField): void {
  w.writeUnsignedVarint(f.tag);
  w.writeUnsignedVarint(f.data.length);
  w.writeRaw(f.data);
}

/** Thrown when a known tagged field's value did not occupy exactly the size its header declared. */
export function taggedSizeMismatch(tag: number, declared: number, used: number): ProtocolError {
  return new ProtocolError('BAD_TAGGED_FIELD', `tagged field ${tag} declared ${declared} bytes but its value used ${used}`);
}
