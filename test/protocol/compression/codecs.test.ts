import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { lz4Compress as wasmLz4Compress, lz4Decompress as wasmLz4Decompress, snappyCompress as wasmSnappyCompress } from '@platformatic/wasm-utils';
import {
  CompressionType,
  compress,
  compressSync,
  decompress,
  decompressSync,
  compressionTypeFromName,
} from '../../../src/protocol/compression/index.js';
import { XERIAL_MAGIC, isXerialFramed, snappyCompressRawSync, XERIAL_BLOCK_SIZE } from '../../../src/protocol/compression/snappy.js';
import { LZ4_FRAME_MAGIC } from '../../../src/protocol/compression/lz4.js';
import { xxhash32 } from '../../../src/protocol/compression/xxhash32.js';
import { createRequire } from 'node:module';
import { RecordBatchError } from '../../../src/protocol/records/errors.js';

const zstdBinding = createRequire(import.meta.url)('zstd-napi/binding.js') as { getFrameContentSize(b: Uint8Array): number | null };

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

const textSample = Buffer.from('kafka record batch '.repeat(20000)); // compressible, several blocks of every codec

function samples(): Buffer[] {
  return [
    Buffer.alloc(0),
    Buffer.from('x'),
    textSample,
    randomBytes(150_000), // incompressible: lz4 stores raw blocks
    Buffer.concat([randomBytes(70_000), Buffer.alloc(300_000, 7)]),
  ];
}

function errCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RecordBatchError, `typed error expected, got ${String(e)}`);
    return e.code;
  }
  return 'no error';
}

test('every codec round-trips sync and async, and sync/async outputs are interchangeable', async () => {
  for (const codec of CODECS) {
    for (const data of samples()) {
      const c = compressSync(codec, data);
      assert.deepEqual(decompressSync(codec, c), data, `codec ${codec} len ${data.length}`);
      const ca = await compress(codec, data);
      assert.deepEqual(await decompress(codec, ca), data);
      assert.deepEqual(decompressSync(codec, ca), data);
      if (codec !== CompressionType.None && data === textSample) assert.ok(c.length < data.length / 10, `codec ${codec} compresses text`);
    }
  }
});

test('round-trip property over arbitrary bytes, all codecs', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom(...CODECS), (bytes, codec) => {
      const data = Buffer.from(bytes);
      assert.deepEqual(decompressSync(codec, compressSync(codec, data)), data);
    }),
    { numRuns: 300 },
  );
});

test('snappy: we write xerial framing in 32 KiB blocks; raw snappy blocks are read too', () => {
  const data = Buffer.from('snappy '.repeat(30000));
  const framed = compressSync(CompressionType.Snappy, data);
  assert.ok(isXerialFramed(framed));
  assert.deepEqual(framed.subarray(0, 8), XERIAL_MAGIC);
  assert.equal(framed.readInt32BE(8), 1);
  assert.equal(framed.readInt32BE(12), 1);
  // walk the chunks: count equals ceil(len / 32 KiB)
  let pos = 16;
  let chunks = 0;
  while (pos < framed.length) {
    pos += 4 + framed.readInt32BE(pos);
    chunks++;
  }
  assert.equal(pos, framed.length);
  assert.equal(chunks, Math.ceil(data.length / XERIAL_BLOCK_SIZE));
  // raw, as some clients (and @platformatic/wasm-utils) send it
  assert.deepEqual(decompressSync(CompressionType.Snappy, snappyCompressRawSync(data)), data);
  assert.deepEqual(decompressSync(CompressionType.Snappy, Buffer.from(wasmSnappyCompress(data))), data);
});

test('lz4: frame header is the KIP-57 one Kafka writes (independent 64 KiB blocks, checksum over FLG/BD)', () => {
  const data = Buffer.from('lz4 frame '.repeat(20000));
  const f = compressSync(CompressionType.Lz4, data);
  assert.equal(f.readUInt32LE(0), LZ4_FRAME_MAGIC);
  assert.equal(f[4], 0x60); // version 01, block independence; no checksums, no content size
  assert.equal(f[5], 0x40); // 64 KiB blocks
  assert.equal(f[6], (xxhash32(f, 0, 4, 6) >>> 8) & 0xff);
  assert.equal(f.readUInt32LE(f.length - 4), 0); // EndMark
  // An independent implementation (lz4 wasm, 256 KiB blocks) reads ours, and we read theirs.
  assert.deepEqual(Buffer.from(wasmLz4Decompress(f)), data);
  assert.deepEqual(decompressSync(CompressionType.Lz4, Buffer.from(wasmLz4Compress(data))), data);
});

test('lz4: reads frames with content size, block checksums, content checksum and the pre-KIP-57 header checksum', () => {
  const data = Buffer.from('abc'.repeat(50000));
  const ours = compressSync(CompressionType.Lz4, data);
  // Rebuild our frame with every optional field switched on.
  const blocks: Buffer[] = [];
  let pos = 7;
  for (;;) {
    const word = ours.readUInt32LE(pos);
    if (word === 0) break;
    const size = word & 0x7fffffff;
    const body = ours.subarray(pos + 4, pos + 4 + size);
    const sum = Buffer.alloc(4);
    sum.writeUInt32LE(xxhash32(body));
    blocks.push(ours.subarray(pos, pos + 4), body, sum);
    pos += 4 + size;
  }
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x40 | 0x20 | 0x10 | 0x08 | 0x04; // version, independence, block checksum, content size, content checksum
  descriptor[1] = 0x40;
  descriptor.writeBigUInt64LE(BigInt(data.length), 2);
  const magic = ours.subarray(0, 4);
  const contentSum = Buffer.alloc(4);
  contentSum.writeUInt32LE(xxhash32(data));
  const build = (hc: number) => Buffer.concat([magic, descriptor, Buffer.from([hc]), ...blocks, Buffer.alloc(4), contentSum]);
  const good = build((xxhash32(descriptor) >>> 8) & 0xff);
  assert.deepEqual(decompressSync(CompressionType.Lz4, good), data);
  const legacyHc = (xxhash32(Buffer.concat([magic, descriptor])) >>> 8) & 0xff;
  assert.deepEqual(decompressSync(CompressionType.Lz4, build(legacyHc)), data);
  const wrong = ((xxhash32(descriptor) >>> 8) + 1) & 0xff;
  if (wrong !== legacyHc) assert.equal(errCode(() => decompressSync(CompressionType.Lz4, build(wrong))), 'DECOMPRESSION_FAILED');
  // Two frames back to back decode to the concatenation.
  assert.deepEqual(decompressSync(CompressionType.Lz4, Buffer.concat([good, ours])), Buffer.concat([data, data]));
  // Dependent blocks are refused like Kafka's Java client does.
  const dependent = Buffer.from(ours);
  dependent[4] = 0x40;
  dependent[6] = (xxhash32(dependent, 0, 4, 6) >>> 8) & 0xff;
  assert.equal(errCode(() => decompressSync(CompressionType.Lz4, dependent)), 'UNSUPPORTED');
});

test('gzip: reads what node/Java-style GZIP writers produce, including concatenated members', () => {
  const a = Buffer.from('first member ');
  const b = Buffer.from('second member');
  assert.deepEqual(decompressSync(CompressionType.Gzip, Buffer.concat([zlib.gzipSync(a), zlib.gzipSync(b)])), Buffer.concat([a, b]));
});

test('zstd: frames with and without a declared content size', async () => {
  const data = Buffer.from('zstd '.repeat(100000));
  // A frame without content size, as zstd-jni's ZstdOutputStream writes: zstd-napi's streaming compressor makes one.
  const { CompressStream } = await import('zstd-napi');
  const streamed = await new Promise<Buffer>((resolve, reject) => {
    const s = new CompressStream();
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', reject);
    s.write(data.subarray(0, 200000));
    s.end(data.subarray(200000));
  });
  assert.equal(zstdBinding.getFrameContentSize(streamed), null);
  assert.deepEqual(decompressSync(CompressionType.Zstd, streamed), data);
  assert.deepEqual(decompressSync(CompressionType.Zstd, streamed, { maxOutputBytes: data.length }), data);
  assert.equal(errCode(() => decompressSync(CompressionType.Zstd, streamed, { maxOutputBytes: 1000 })), 'TOO_LARGE');
  const oneShot = compressSync(CompressionType.Zstd, data);
  assert.equal(errCode(() => decompressSync(CompressionType.Zstd, oneShot, { maxOutputBytes: 1000 })), 'TOO_LARGE');
  // and the shared context still works after errors
  assert.deepEqual(decompressSync(CompressionType.Zstd, oneShot), data);
});

test('decompression bombs are refused before allocating past the limit, for every codec', async () => {
  const zeros = Buffer.alloc(4 * 1024 * 1024);
  for (const codec of CODECS.slice(1)) {
    const c = compressSync(codec, zeros);
    assert.equal(errCode(() => decompressSync(codec, c, { maxOutputBytes: 1024 * 1024 })), 'TOO_LARGE', `codec ${codec}`);
    await assert.rejects(decompress(codec, c, { maxOutputBytes: 1024 * 1024 }), (e: unknown) => e instanceof RecordBatchError && e.code === 'TOO_LARGE');
  }
  // A raw snappy block that merely claims 4 GiB is refused from its preamble alone.
  assert.equal(errCode(() => decompressSync(CompressionType.Snappy, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]))), 'TOO_LARGE');
});

test('garbage and truncated input give typed errors for every codec', async () => {
  const data = Buffer.from('some data to compress '.repeat(5000));
  fc.assert(
    fc.property(fc.constantFrom(...CODECS.slice(1)), fc.nat(), fc.nat(), (codec, cut, flip) => {
      const c = compressSync(codec, data);
      const truncated = c.subarray(0, cut % c.length);
      try {
        const out = decompressSync(codec, truncated);
        assert.ok(out.length <= data.length); // some truncations of gzip members still decode a prefix
      } catch (e) {
        assert.ok(e instanceof RecordBatchError, `codec ${codec}: ${String(e)}`);
      }
      const flipped = Buffer.from(c);
      flipped[flip % c.length]! ^= 0x5a;
      try {
        decompressSync(codec, flipped);
      } catch (e) {
        assert.ok(e instanceof RecordBatchError, `codec ${codec}: ${String(e)}`);
      }
    }),
    { numRuns: 400 },
  );
  for (const codec of CODECS.slice(1)) {
    assert.notEqual(errCode(() => decompressSync(codec, randomBytes(100))), 'no error', `codec ${codec}`);
    await assert.rejects(decompress(codec, Buffer.from([1, 2, 3])), RecordBatchError);
  }
});

test('unknown codec ids 5..7 -> UNSUPPORTED_COMPRESSION_TYPE (76)', () => {
  for (const id of [5, 6, 7]) {
    assert.throws(
      () => decompressSync(id as CompressionType, Buffer.alloc(1)),
      (e: unknown) => e instanceof RecordBatchError && e.kafkaErrorCode === 76,
    );
  }
  assert.equal(compressionTypeFromName('ZSTD'), CompressionType.Zstd);
  assert.equal(compressionTypeFromName('producer'), undefined);
});

test('compression levels: every level option still round-trips (lz4 HC, gzip 1/9, zstd 1/19/negative)', () => {
  const data = Buffer.from('levels of compression '.repeat(8000));
  const cases: [CompressionType, number][] = [
    [CompressionType.Lz4, 0],
    [CompressionType.Lz4, 9],
    [CompressionType.Gzip, 1],
    [CompressionType.Gzip, 9],
    [CompressionType.Gzip, -1],
    [CompressionType.Zstd, 1],
    [CompressionType.Zstd, 19],
    [CompressionType.Zstd, -5],
  ];
  for (const [codec, level] of cases) {
    const c = compressSync(codec, data, { level });
    assert.ok(c.length < data.length / 5, `codec ${codec} level ${level}`);
    assert.deepEqual(decompressSync(codec, c), data);
  }
});
