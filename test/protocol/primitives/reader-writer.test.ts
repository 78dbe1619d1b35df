import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer, varintSize } from '../../../src/protocol/primitives/writer.js';
import { protocolErrorCode } from '../../helpers/protocol-error.js';

test('fixed-width integers round-trip at their limits, big-endian', () => {
  const w = new Writer(1);
  w.writeInt8(-128);
  w.writeInt16(-32768);
  w.writeUInt16(65535);
  w.writeInt32(-2147483648);
  w.writeUInt32(4294967295);
  w.writeInt64(-(2n ** 63n));
  w.writeFloat64(-0.5);
  w.writeBool(true);
  const b = w.toBuffer();
  assert.equal(b.length, 1 + 2 + 2 + 4 + 4 + 8 + 8 + 1);
  assert.equal(b.subarray(1, 3).toString('hex'), '8000');
  const r = new Reader(b);
  assert.equal(r.readInt8(), -128);
  assert.equal(r.readInt16(), -32768);
  assert.equal(r.readUInt16(), 65535);
  assert.equal(r.readInt32(), -2147483648);
  assert.equal(r.readUInt32(), 4294967295);
  assert.equal(r.readInt64(), -(2n ** 63n));
  assert.equal(r.readFloat64(), -0.5);
  assert.equal(r.readBool(), true);
  assert.equal(r.remaining(), 0);
  assert.equal(protocolErrorCode(() => r.readInt8()), 'TRUNCATED');
});

test('unsigned varints: known encodings and the 5-byte limit', () => {
  const cases: [number, string][] = [
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [300, 'ac02'], [16384, '808001'], [4294967295, 'ffffffff0f'],
  ];
  for (const [v, hex] of cases) {
    const w = new Writer();
    w.writeUnsignedVarint(v);
    assert.equal(w.toBuffer().toString('hex'), hex, `encode ${v}`);
    assert.equal(varintSize(v), hex.length / 2);
    assert.equal(new Reader(Buffer.from(hex, 'hex')).readUnsignedVarint(), v, `decode ${hex}`);
  }
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('ffffffff10', 'hex')).readUnsignedVarint()), 'BAD_VARINT');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('ffffffffff01', 'hex')).readUnsignedVarint()), 'BAD_VARINT');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('8080', 'hex')).readUnsignedVarint()), 'TRUNCATED');
  assert.equal(protocolErrorCode(() => new Writer().writeUnsignedVarint(-1)), 'VALUE_OUT_OF_RANGE');
});

test('zig-zag varint / varlong round-trip (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (i, l) => {
      const w = new Writer(2);
      w.writeVarint(i);
      w.writeVarlong(l);
      const r = new Reader(w.toBuffer());
      assert.equal(r.readVarint(), i);
      assert.equal(r.readVarlong(), l);
      assert.equal(r.remaining(), 0);
    }),
  );
  const w = new Writer();
  w.writeVarint(-1);
  w.writeVarlong(-1n);
  assert.equal(w.toBuffer().toString('hex'), '0101');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.alloc(11, 0xff)).readVarlong()), 'BAD_VARINT');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('ffffffffffffffffff02', 'hex')).readVarlong()), 'BAD_VARINT');
});

test('strings: classic and compact, multi-byte text across the varint boundary, nulls', () => {
  const samples = ['', 'a', 'x'.repeat(126), 'x'.repeat(127), 'x'.repeat(128), 'é'.repeat(63), 'é'.repeat(64), '€'.repeat(43), '😀'.repeat(40)];
  for (const s of samples) {
    const w = new Writer(4);
    w.writeString(s);
    w.writeCompactString(s);
    w.writeNullableString(s);
    w.writeCompactNullableString(s);
    const r = new Reader(w.toBuffer());
    assert.equal(r.readString(), s);
    assert.equal(r.readCompactString(), s);
    assert.equal(r.readNullableString(), s);
    assert.equal(r.readCompactNullableString(), s);
    assert.equal(r.remaining(), 0);
    const n = Buffer.byteLength(s);
    const compact = new Writer();
    compact.writeCompactString(s);
    assert.equal(compact.offset, varintSize(n + 1) + n, `compact length prefix for ${n} bytes`);
  }
  const w = new Writer();
  w.writeNullableString(null);
  w.writeCompactNullableString(null);
  assert.equal(w.toBuffer().toString('hex'), 'ffff00');
  const r = new Reader(w.toBuffer());
  assert.equal(r.readNullableString(), null);
  assert.equal(r.readCompactNullableString(), null);
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('ffff', 'hex')).readString()), 'NULL_NOT_ALLOWED');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('fffe', 'hex')).readNullableString()), 'NEGATIVE_LENGTH');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('00', 'hex')).readCompactString()), 'NULL_NOT_ALLOWED');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('0005616263', 'hex')).readString()), 'TRUNCATED');
  assert.equal(protocolErrorCode(() => new Writer().writeString('x'.repeat(40000))), 'VALUE_OUT_OF_RANGE');
});

test('bytes are views into the input, not copies', () => {
  const w = new Writer();
  w.writeBytes(Buffer.from('abc'));
  w.writeCompactBytes(Buffer.from('de'));
  w.writeNullableBytes(null);
  w.writeCompactNullableBytes(null);
  const input = Buffer.from(w.toBuffer());
  const r = new Reader(input);
  const a = r.readBytes();
  const b = r.readCompactBytes();
  assert.equal(a.toString(), 'abc');
  assert.equal(b.toString(), 'de');
  assert.equal(r.readNullableBytes(), null);
  assert.equal(r.readCompactNullableBytes(), null);
  input[4] = 0x7a; // first byte of "abc"
  assert.equal(a.toString(), 'zbc', 'readBytes returned a copy');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('fffffffe', 'hex')).readNullableBytes()), 'NEGATIVE_LENGTH');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('7fffffff00', 'hex')).readBytes()), 'TRUNCATED');
});

test('uuid uses the 22-character base64url form; bad uuids are rejected', () => {
  const raw = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const text = raw.toString('base64url');
  assert.equal(text.length, 22);
  const w = new Writer();
  w.writeUuid(text);
  w.writeUuid('AAAAAAAAAAAAAAAAAAAAAA');
  assert.ok(w.toBuffer().subarray(0, 16).equals(raw));
  assert.ok(w.toBuffer().subarray(16).equals(Buffer.alloc(16)));
  const r = new Reader(w.toBuffer());
  assert.equal(r.readUuid(), text);
  assert.equal(r.readUuid(), 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(protocolErrorCode(() => new Writer().writeUuid('short')), 'BAD_UUID');
  assert.equal(protocolErrorCode(() => new Writer().writeUuid('!!!!!!!!!!!!!!!!!!!!!!')), 'BAD_UUID');
});

test('array counts are checked against the remaining bytes before allocation', () => {
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('7fffffff', 'hex')).readArrayLength(1)), 'ARRAY_TOO_LARGE');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('0000000300000000', 'hex')).readArrayLength(4)), 'ARRAY_TOO_LARGE');
  assert.equal(new Reader(Buffer.from('000000020000000000000000', 'hex')).readArrayLength(4), 2);
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('ffffffff', 'hex')).readArrayLength(1)), 'NULL_NOT_ALLOWED');
  assert.equal(new Reader(Buffer.from('ffffffff', 'hex')).readNullableArrayLength(1), -1);
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('fffffff0', 'hex')).readNullableArrayLength(1)), 'NEGATIVE_LENGTH');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('ffffffff0f', 'hex')).readCompactArrayLength(1)), 'ARRAY_TOO_LARGE');
  assert.equal(new Reader(Buffer.from('00', 'hex')).readCompactNullableArrayLength(1), -1);
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('00', 'hex')).readCompactArrayLength(1)), 'NULL_NOT_ALLOWED');
  // A zero-size element still counts as one byte, so a count can never exceed the bytes left.
  assert.equal(protocolErrorCode(() => new Reader(Buffer.from('00000005', 'hex')).readArrayLength(0)), 'ARRAY_TOO_LARGE');
});

test('reader honours an end before the buffer end', () => {
  const r = new Reader(Buffer.from('0001020304', 'hex'), 1, 3);
  assert.equal(r.remaining(), 2);
  assert.equal(r.readInt16(), 0x0102);
  assert.equal(protocolErrorCode(() => r.readInt8()), 'TRUNCATED');
  assert.equal(protocolErrorCode(() => new Reader(Buffer.alloc(2), 0, 3)), 'TRUNCATED');
});

test('writer grows by doubling and keeps earlier bytes; reserve/patch and varint size prefixes', () => {
  const w = new Writer(16);
  for (let i = 0; i < 1000; i++) w.writeInt32(i);
  assert.ok(w.buf.length >= 4000 && w.buf.length <= 8192);
  const r = new Reader(w.toBuffer());
  for (let i = 0; i < 1000; i++) assert.equal(r.readInt32(), i);

  for (const len of [0, 1, 127, 128, 16383, 16384, 70000]) {
    const x = new Writer(8);
    x.writeInt8(7);
    const mark = x.beginUnsignedVarintSize();
    x.writeRaw(Buffer.alloc(len, 0xab));
    x.endUnsignedVarintSize(mark);
    x.writeInt8(9);
    const rr = new Reader(x.toBuffer());
    assert.equal(rr.readInt8(), 7);
    assert.equal(rr.readUnsignedVarint(), len);
    assert.ok(rr.readRawBytes(len).equals(Buffer.alloc(len, 0xab)));
    assert.equal(rr.readInt8(), 9);
    assert.equal(rr.remaining(), 0);
  }

  const p = new Writer();
  const at = p.reserve(4);
  p.writeInt16(5);
  p.patchInt32(at, p.offset - 4);
  assert.equal(p.toBuffer().toString('hex'), '000000020005');
});

test('zero-copy writer: same bytes as a copying writer, large arrays referenced, patches across chunks', () => {
  type Op = { kind: 'int'; v: number } | { kind: 'raw'; len: number } | { kind: 'sized'; len: number } | { kind: 'str'; s: string };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.integer({ min: -2147483648, max: 2147483647 }).map((v) => ({ kind: 'int' as const, v })),
    fc.integer({ min: 0, max: 300 }).map((len) => ({ kind: 'raw' as const, len })),
    fc.integer({ min: 0, max: 300 }).map((len) => ({ kind: 'sized' as const, len })),
    fc.string({ maxLength: 20 }).map((s) => ({ kind: 'str' as const, s })),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), fc.integer({ min: 16, max: 64 }), (ops, initial) => {
      const plain = new Writer(initial);
      const zc = new Writer(initial, { zeroCopyThreshold: 100 });
      const referenced: Buffer[] = [];
      for (const w of [plain, zc]) {
        const sizeAt = w.reserve(4);
        for (const o of ops) {
          if (o.kind === 'int') w.writeInt32(o.v);
          else if (o.kind === 'str') w.writeCompactString(o.s);
          else if (o.kind === 'raw') {
            const b = Buffer.alloc(o.len, o.len & 0xff);
            if (w === zc && o.len >= 100) referenced.push(b);
            w.writeBytes(b);
          } else {
            const mark = w.beginUnsignedVarintSize();
            w.writeRaw(Buffer.alloc(o.len, 1)); // copied even when large: size regions stay contiguous
            w.endUnsignedVarintSize(mark);
          }
        }
        w.patchInt32(sizeAt, w.length - 4);
      }
      assert.equal(zc.length, plain.length);
      assert.ok(zc.toBuffer().equals(plain.toBuffer()));
      const chunks = zc.toBuffers();
      assert.equal(chunks.reduce((a, c) => a + c.length, 0), plain.length);
      for (const b of referenced) assert.ok(chunks.includes(b), 'large array was copied');
    }),
  );
});
