// Magic v1 messages (Kafka 0.10's format) written byte by byte, independently of src/protocol/records/legacy.ts,
// for tests of up-conversion, validation and dump-log: offset, size, crc, magic, attributes, timestamp, key, value.
import { crc32 } from '../../src/protocol/records/crc32.js';

export function legacyMessageV1(m: { offset: number; timestamp: number; key: string | null; value: string }): Buffer {
  const key = m.key === null ? null : Buffer.from(m.key);
  const value = Buffer.from(m.value);
  const body = Buffer.alloc(1 + 1 + 8 + 4 + (key?.length ?? 0) + 4 + value.length);
  let o = body.writeInt8(1, 0); // magic
  o = body.writeInt8(0, o); // attributes: no compression, CreateTime
  o = body.writeBigInt64BE(BigInt(m.timestamp), o);
  o = body.writeInt32BE(key === null ? -1 : key.length, o);
  if (key) o += key.copy(body, o);
  o = body.writeInt32BE(value.length, o);
  value.copy(body, o);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(BigInt(m.offset), 0);
  head.writeInt32BE(4 + body.length, 8); // size counts the crc and the body
  head.writeUInt32BE(crc32(body), 12);
  return Buffer.concat([head, body]);
}
