// LZ4 as Kafka carries it: the standard LZ4 frame format (magic 0x184D2204), with the header checksum computed over
// the frame descriptor only (KIP-57; magic v0/v1 data written by old Java clients computed it over the magic bytes
// too, which we also accept when reading). We write frames the way Kafka's KafkaLZ4BlockOutputStream does:
// independent 64 KiB blocks, no block checksums, no content size, no content checksum, so the Java client
// (which rejects dependent blocks) and librdkafka both read them. Reading accepts any frame with independent blocks:
// with or without content size, block checksums or content checksum, several concatenated frames, skippable frames.
// Blocks are (de)compressed by lz4-napi (N-API over lz4_flex); the framing is ours.
import { createRequire } from 'node:module';
import { xxhash32 } from './xxhash32.js';
import { type CompressOptions, type DecompressOptions, corrupt, maxOutput, tooLarge } from './limits.js';
import { KafkaErrors, RecordBatchError } from '../records/errors.js';

const require = createRequire(import.meta.url);

// lz4-napi is an N-API binding (ABI-stable: the same build loads on Node 20 and 24, no compiler needed) over
// lz4_flex. Its block API prepends the uncompressed size as 4 little-endian bytes; these helpers translate
// between that and the raw blocks of the frame format.
const lz4napi = require('lz4-napi') as {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Uint8Array): Buffer;
};

/** Raw LZ4 block of `chunk`, or null when compressing does not make it smaller. */
function compressBlock(chunk: Uint8Array): Buffer | null {
  const c = lz4napi.compressSync(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  return c.length - 4 < chunk.length ? c.subarray(4) : null;
}

/** Decompresses one raw block whose output is at most `max` bytes. */
function uncompressBlock(block: Uint8Array, max: number): Buffer {
  const framed = Buffer.allocUnsafe(4 + block.length);
  framed.writeUInt32LE(max, 0);
  framed.set(block, 4);
  return lz4napi.uncompressSync(framed);
}

export const LZ4_FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Block size Kafka uses (BD byte 0x40). */
export const LZ4_BLOCK_SIZE = 64 * 1024;
const BLOCK_SIZE_IDS: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const UNCOMPRESSED_BIT = 0x80000000;

/** Frame header we write: magic, FLG (version 01, independent blocks), BD (64 KiB), HC. */
const HEADER: Buffer = (() => {
  const h = Buffer.alloc(7);
  h.writeUInt32LE(LZ4_FRAME_MAGIC, 0);
  h[4] = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE;
  h[5] = 0x40;
  h[6] = (xxhash32(h, 0, 4, 6) >>> 8) & 0xff;
  return h;
})();

/** Compresses into one LZ4 frame. The binding has one (fast) level, so `level` is accepted and ignored. */
export function lz4CompressSync(data: Uint8Array, _options?: CompressOptions): Buffer {
  const blocks = Math.ceil(data.length / LZ4_BLOCK_SIZE);
  // A stored block costs its size + 4, and a compressed one is only kept when smaller: this bound always holds.
  const out = Buffer.allocUnsafe(HEADER.length + blocks * (4 + LZ4_BLOCK_SIZE) + 4);
  HEADER.copy(out, 0);
  let pos = HEADER.length;
  for (let i = 0; i < data.length; i += LZ4_BLOCK_SIZE) {
    const chunk = data.subarray(i, Math.min(data.length, i + LZ4_BLOCK_SIZE));
    const block = compressBlock(chunk);
    if (block) {
      out.writeUInt32LE(block.length, pos);
      out.set(block, pos + 4);
      pos += 4 + block.length;
    } else {
      // Incompressible: store the block as is (high bit of the size word set), as the spec allows.
      out.writeUInt32LE((chunk.length | UNCOMPRESSED_BIT) >>> 0, pos);
      out.set(chunk, pos + 4);
      pos += 4 + chunk.length;
    }
  }
  out.writeUInt32LE(0, pos); // EndMark
  pos += 4;
  // Copy to a right-sized buffer so callers do not pin the worst-case allocation.
  return Buffer.from(out.subarray(0, pos));
}

export async function lz4Compress(data: Uint8Array, options?: CompressOptions): Promise<Buffer> {
  return lz4CompressSync(data, options);
}

class Output {
  buf: Buffer;
  used = 0;
  constructor(
    initial: number,
    private readonly limit: number,
  ) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  /** Makes room for `n` more bytes, never growing past limit + one block (checked by the caller afterwards). */
  reserve(n: number): void {
    const need = this.used + n;
    if (need <= this.buf.length) return;
    const cap = Math.min(Math.max(this.buf.length * 2, need), this.limit + n);
    if (cap < need) throw tooLarge('lz4', need, this.limit);
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
  advance(n: number): void {
    this.used += n;
    if (this.used > this.limit) throw tooLarge('lz4', this.used, this.limit);
  }
}

/** Decompresses one or more LZ4 frames. */
export function lz4DecompressSync(data: Uint8Array, options?: DecompressOptions): Buffer {
  const limit = maxOutput(options);
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  const out = new Output(Math.min(limit, Math.max(LZ4_BLOCK_SIZE, data.length * 4)), limit);
  let pos = 0;
  const need = (n: number, what: string): void => {
    if (pos + n > data.length) throw corrupt('lz4', `truncated ${what}`);
  };
  while (pos < data.length) {
    need(4, 'frame magic');
    const magic = view.readUInt32LE(pos);
    if (((magic & SKIPPABLE_MAGIC_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      need(8, 'skippable frame');
      pos += 8 + view.readUInt32LE(pos + 4);
      if (pos > data.length) throw corrupt('lz4', 'truncated skippable frame');
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) throw corrupt('lz4', `bad frame magic 0x${magic.toString(16)}`);
    const frameStart = pos;
    pos += 4;
    need(3, 'frame descriptor');
    const flg = data[pos]!;
    const bd = data[pos + 1]!;
    if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01) throw corrupt('lz4', `unsupported frame version in FLG 0x${flg.toString(16)}`);
    if (flg & FLG_DICT_ID) {
      throw new RecordBatchError('UNSUPPORTED', 'lz4: frames with a dictionary id are not supported', KafkaErrors.CORRUPT_MESSAGE);
    }
    if (!(flg & FLG_BLOCK_INDEPENDENCE)) {
      // Kafka's Java client rejects these too ("Dependent block stream is unsupported").
      throw new RecordBatchError('UNSUPPORTED', 'lz4: dependent blocks are not supported', KafkaErrors.CORRUPT_MESSAGE);
    }
    const blockMax = BLOCK_SIZE_IDS[(bd >> 4) & 0x07];
    if (blockMax === undefined || (bd & 0x8f) !== 0) throw corrupt('lz4', `bad block descriptor 0x${bd.toString(16)}`);
    const descriptorEnd = pos + 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0);
    need(descriptorEnd - pos + 1, 'frame descriptor');
    const hc = data[descriptorEnd]!;
    const expected = (xxhash32(data, 0, pos, descriptorEnd) >>> 8) & 0xff;
    const legacy = (xxhash32(data, 0, frameStart, descriptorEnd) >>> 8) & 0xff; // pre-KIP-57 Kafka
    if (hc !== expected && hc !== legacy) throw corrupt('lz4', 'frame header checksum mismatch');
    if (flg & FLG_CONTENT_SIZE) {
      const size = Number(view.readBigUInt64LE(pos + 2));
      if (out.used + size > limit) throw tooLarge('lz4', out.used + size, limit);
      out.reserve(size);
    }
    pos = descriptorEnd + 1;
    const blockChecksum = (flg & FLG_BLOCK_CHECKSUM) !== 0;
    for (;;) {
      need(4, 'block size');
      const word = view.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break; // EndMark
      const raw = (word & UNCOMPRESSED_BIT) !== 0;
      const size = word & 0x7fffffff;
      if (size > blockMax) throw corrupt('lz4', `block of ${size} bytes exceeds the frame's maximum ${blockMax}`);
      need(size + (blockChecksum ? 4 : 0), 'block');
      if (raw) {
        out.reserve(size);
        out.buf.set(data.subarray(pos, pos + size), out.used);
        out.advance(size);
      } else {
        let block: Buffer;
        try {
          block = uncompressBlock(data.subarray(pos, pos + size), blockMax);
        } catch {
          throw corrupt('lz4', `malformed block at byte ${pos}`);
        }
        out.reserve(block.length);
        out.buf.set(block, out.used);
        out.advance(block.length);
      }
      pos += size + (blockChecksum ? 4 : 0); // block checksums are not verified: the batch CRC covers the data
    }
    if (flg & FLG_CONTENT_CHECKSUM) {
      need(4, 'content checksum');
      pos += 4;
    }
  }
  return out.buf.subarray(0, out.used);
}

export async function lz4Decompress(data: Uint8Array, options?: DecompressOptions): Promise<Buffer> {
  return lz4DecompressSync(data, options);
}
