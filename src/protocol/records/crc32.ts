// CRC-32 (IEEE 802.3, the zlib one), the checksum of legacy (magic v0/v1) messages. Uses node:zlib's crc32 where
// Node provides it (>= 20.15 / 22.2) and a table-driven JS version otherwise.
import zlib from 'node:zlib';

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32Js(data: Uint8Array, initial = 0): number {
  let crc = ~initial >>> 0;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 (IEEE) of data, unsigned. */
export function crc32(data: Uint8Array): number {
  return typeof native === 'function' ? native(data) >>> 0 : crc32Js(data);
}
