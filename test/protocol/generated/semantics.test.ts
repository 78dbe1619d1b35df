// Encoding rules checked byte for byte on a synthetic spec that packs the awkward cases together (tag gaps,
// nullable tagged struct, hex and boolean defaults, ignorable vs non-ignorable fields, a field-level
// "flexibleVersions": "none"), plus the same rules on real messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { MessageGenerator } from '../../../scripts/protocol-gen/codegen.js';
import { buildMessageModel } from '../../../scripts/protocol-gen/model.js';
import { contains, parseMessage } from '../../../scripts/protocol-gen/schema.js';
import { REPO_ROOT } from '../../../scripts/generate-protocol.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { decodeMetadataRequest, encodeMetadataRequest } from '../../../src/protocol/generated/messages/metadata-request.js';
import { decodeApiVersionsRequest, encodeApiVersionsRequest } from '../../../src/protocol/generated/messages/api-versions-request.js';
import { encodeProduceRequest, decodeProduceRequest } from '../../../src/protocol/generated/messages/produce-request.js';
import { type Obj, defaultValue, fieldIn, loadAllMessages, structArb } from './schema-values.js';
import { protocolErrorCode } from '../../helpers/protocol-error.js';

const SPEC = `// synthetic spec for generator tests
{
  "apiKey": 9999, "type": "request", "name": "SyntheticRequest",
  "validVersions": "0-4", "flexibleVersions": "2+",
  "fields": [
    { "name": "Id", "type": "int32", "versions": "0+", "about": "// not a comment" },
    { "name": "Name", "type": "string", "versions": "0+", "nullableVersions": "1+" },
    { "name": "Timeout", "type": "int32", "versions": "1+", "default": "0x7fffffff", "ignorable": true },
    { "name": "Strict", "type": "bool", "versions": "3+", "default": "true" },
    { "name": "LegacyName", "type": "string", "versions": "0-1", "default": "" },
    { "name": "Count", "type": "int64", "versions": "0+", "default": "-1" },
    { "name": "Items", "type": "[]Item", "versions": "0+", "nullableVersions": "4+", "fields": [
      { "name": "Key", "type": "string", "versions": "0+" },
      { "name": "Value", "type": "bytes", "versions": "0+", "nullableVersions": "0+" },
      { "name": "Extra", "type": "int16", "versions": "2+", "taggedVersions": "2+", "tag": 3, "default": 7 }
    ]},
    { "name": "Leader", "type": "Leader", "versions": "2+", "taggedVersions": "2+", "tag": 0,
      "nullableVersions": "2+", "default": "null", "fields": [
      { "name": "LeaderId", "type": "int32", "versions": "2+", "default": "-1" },
      { "name": "Epoch", "type": "int32", "versions": "2+", "default": "-1" }
    ]},
    { "name": "Note", "type": "string", "versions": "2+", "taggedVersions": "2+", "tag": 5, "default": "" },
    { "name": "ClientId", "type": "string", "versions": "0+", "nullableVersions": "0+", "flexibleVersions": "none" },
    { "name": "Uid", "type": "uuid", "versions": "4+" }
  ]
}`;

type Enc = (w: Writer, v: Obj, version: number) => void;
type Dec = (r: Reader, version: number) => Obj;

const dir = mkdtempSync(join(tmpdir(), 'gregor-protocol-gen-'));
let encode: Enc;
let decode: Dec;
try {
  const code = new MessageGenerator(buildMessageModel(parseMessage(SPEC, 'SyntheticRequest'))).generate('synthetic');
  const primitives = pathToFileURL(join(REPO_ROOT, 'src', 'protocol', 'primitives')).href;
  // .mts: outside the repository there is no package.json saying "type": "module"; ESM keeps one module graph.
  const file = join(dir, 'synthetic-request.mts');
  writeFileSync(file, code.replaceAll("'../../primitives/", `'${primitives}/`));
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  encode = mod.encodeSyntheticRequest as Enc;
  decode = mod.decodeSyntheticRequest as Dec;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function enc(v: Obj, version: number): string {
  const w = new Writer();
  encode(w, v, version);
  return w.toBuffer().toString('hex');
}

function dec(hex: string, version: number): Obj {
  const r = new Reader(Buffer.from(hex, 'hex'));
  const out = decode(r, version);
  assert.equal(r.remaining(), 0);
  return out;
}

const base = { id: 1, name: 'n', items: [], clientId: 'c' };

test('v0 layout: classic strings and arrays, absent fields decode as defaults', () => {
  const hex = enc({ ...base, legacyName: 'L', count: 5n, items: [{ key: 'k', value: null }] }, 0);
  assert.equal(
    hex,
    '00000001' + '00016e' + '00014c' + '0000000000000005' + '00000001' + '00016b' + 'ffffffff' + '000163',
  );
  const d = dec(hex, 0);
  assert.equal(d.timeout, 0x7fffffff);
  assert.equal(d.strict, true);
  assert.equal(d.leader, null);
  assert.equal(d.note, '');
  assert.equal(d.uid, 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.deepEqual(d.items, [{ key: 'k', value: null, extra: 7 }]);
});

test('ignorable field in a version without it is dropped; non-ignorable non-default throws', () => {
  // Timeout (ignorable, from v1) is silently dropped at v0.
  assert.equal(enc({ ...base, timeout: 5 }, 0), enc(base, 0));
  // Strict (not ignorable, from v3): its default is fine anywhere, anything else throws before v3.
  assert.equal(enc({ ...base, strict: true }, 2), enc(base, 2));
  assert.equal(protocolErrorCode(() => enc({ ...base, strict: false }, 2)), 'UNSUPPORTED_FIELD');
  // LegacyName (not ignorable, only v0-1).
  assert.equal(protocolErrorCode(() => enc({ ...base, legacyName: 'x' }, 2)), 'UNSUPPORTED_FIELD');
  assert.equal(enc({ ...base, legacyName: '' }, 2), enc(base, 2));
  // Tagged fields in non-flexible versions follow the same rule (Leader is not ignorable).
  assert.equal(protocolErrorCode(() => enc({ ...base, leader: { leaderId: 1, epoch: 2 } }, 1)), 'UNSUPPORTED_FIELD');
  // Nested tagged field: Extra is not ignorable either.
  assert.equal(protocolErrorCode(() => enc({ ...base, items: [{ key: 'k', value: null, extra: 8 }] }, 1)), 'UNSUPPORTED_FIELD');
});

test('nullability follows nullableVersions', () => {
  assert.equal(protocolErrorCode(() => enc({ ...base, name: null }, 0)), 'NULL_NOT_ALLOWED');
  assert.equal(dec(enc({ ...base, name: null }, 1), 1).name, null);
  assert.equal(protocolErrorCode(() => enc({ ...base, items: null }, 3)), 'NULL_NOT_ALLOWED');
  assert.equal(dec(enc({ ...base, items: null, uid: 'AAAAAAAAAAAAAAAAAAAAAA' }, 4), 4).items, null);
  // Decoding: a null array where the version does not allow it.
  const v3 = enc(base, 3);
  // The items count is the compact varint after id(4) + name(2) + timeout(4) + strict(1) + count(8).
  const broken = v3.slice(0, 38) + '00' + v3.slice(40);
  assert.equal(protocolErrorCode(() => dec(broken, 3)), 'NULL_NOT_ALLOWED');
});

test('flexible layout: compact forms, field-level flexibleVersions "none", tags in ascending order with unknown ones merged', () => {
  const value = {
    ...base,
    count: -1n,
    leader: { leaderId: 3, epoch: 4 },
    note: 'hi',
    _unknownTaggedFields: [
      { tag: 9, data: Buffer.from('99', 'hex') },
      { tag: 2, data: Buffer.from('22', 'hex') },
    ],
  };
  const hex = enc(value, 2);
  assert.equal(
    hex,
    '00000001' + // id
      '026e' + // name: compact string "n"
      '7fffffff' + // timeout default
      'ffffffffffffffff' + // count
      '01' + // items: compact array, 0 elements
      '000163' + // clientId: classic int16 string even in a flexible version
      '04' + // 4 tagged fields: 0 (known), 2 (unknown), 5 (known), 9 (unknown)
      '00' + '0a' + '01' + '00000003' + '00000004' + '00' + // Leader: present marker, struct, its empty tag section
      '02' + '01' + '22' +
      '05' + '03' + '036869' + // Note: compact string "hi"
      '09' + '01' + '99',
  );
  const d = dec(hex, 2);
  assert.deepEqual(d.leader, { leaderId: 3, epoch: 4 });
  assert.equal(d.note, 'hi');
  assert.deepEqual(d._unknownTaggedFields, [
    { tag: 2, data: Buffer.from('22', 'hex') },
    { tag: 9, data: Buffer.from('99', 'hex') },
  ]);
  assert.equal(enc(d, 2), hex, 'unknown tagged fields are re-encoded');
  // Defaults are not written as tagged fields at all.
  assert.ok(enc({ ...base, leader: null, note: '' }, 2).endsWith('00'));
  // Unknown tagged fields cannot be carried by a non-flexible version: dropped, like ignorable fields.
  assert.equal(enc({ ...base, _unknownTaggedFields: [{ tag: 7, data: Buffer.alloc(1) }] }, 1), enc(base, 1));
});

test('nested struct defaults and tagged fields inside array elements', () => {
  const hex = enc({ ...base, items: [{ key: 'a', value: Buffer.from('ff', 'hex'), extra: 9 }, { key: 'b', value: null }] }, 2);
  const d = dec(hex, 2);
  assert.deepEqual(d.items, [
    { key: 'a', value: Buffer.from('ff', 'hex'), extra: 9 },
    { key: 'b', value: null, extra: 7 },
  ]);
  assert.ok(hex.includes('0261' + '02ff' + '01' + '03' + '02' + '0009'), 'element a carries tag 3 (int16 9)');
  assert.ok(hex.includes('0262' + '00' + '00'), 'element b: null bytes, no tagged fields');
});

test('real messages: MetadataRequest defaults and exact bytes', () => {
  // v3 has no allowAutoTopicCreation: the decoder fills the spec default (true).
  const v3 = new Writer();
  encodeMetadataRequest(v3, { topics: [{ name: 'a' }] }, 3);
  assert.equal(v3.toBuffer().toString('hex'), '00000001' + '000161');
  assert.equal(decodeMetadataRequest(new Reader(v3.toBuffer()), 3).allowAutoTopicCreation, true);
  // allowAutoTopicCreation=false is not ignorable before v4.
  assert.throws(() => encodeMetadataRequest(new Writer(), { topics: null, allowAutoTopicCreation: false }, 3), ProtocolError);
  // v12 (flexible): null topics = compact 0; topicId uuid; two bools; empty tag sections.
  const v12 = new Writer();
  encodeMetadataRequest(v12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: null }], allowAutoTopicCreation: false }, 12);
  assert.equal(v12.toBuffer().toString('hex'), '02' + '00'.repeat(16) + '00' + '00' + '00' + '00' + '00');
});

test('real messages: unknown tagged fields of ApiVersionsRequest survive a round trip', () => {
  const hex = '056b636174' + '06322e302e32' + '02' + '07' + '02' + 'abcd' + '40' + '00';
  const r = new Reader(Buffer.from(hex, 'hex'));
  const req = decodeApiVersionsRequest(r, 3);
  assert.equal(req.clientSoftwareName, 'kcat');
  assert.equal(req.clientSoftwareVersion, '2.0.2');
  assert.deepEqual(req._unknownTaggedFields, [
    { tag: 7, data: Buffer.from('abcd', 'hex') },
    { tag: 64, data: Buffer.alloc(0) },
  ]);
  const w = new Writer();
  encodeApiVersionsRequest(w, req, 3);
  assert.equal(w.toBuffer().toString('hex'), hex);
});

test('real messages: non-ignorable ProduceRequest.transactionalId cannot be sent before v3', () => {
  const body = { acks: 1, timeoutMs: 100, topicData: [] };
  assert.throws(() => encodeProduceRequest(new Writer(), { ...body, transactionalId: 'tx' }, 2), (e: unknown) => e instanceof ProtocolError && e.code === 'UNSUPPORTED_FIELD');
  const w = new Writer();
  encodeProduceRequest(w, { ...body, transactionalId: null }, 2);
  assert.equal(decodeProduceRequest(new Reader(w.toBuffer()), 2).transactionalId, null);
});

test('every message: a non-default value in a version lacking the field is dropped (ignorable) or rejected', async () => {
  const messages = await loadAllMessages();
  let dropped = 0;
  let rejected = 0;
  for (const m of messages) {
    for (const f of m.model.top.fields) {
      const alt = nonDefault(f.primitive, f.isArray, f.struct !== undefined, defaultValue(f, m.module));
      if (alt === undefined) continue;
      for (const version of m.versions) {
        if (fieldIn(f, version)) continue;
        const [value] = fc.sample(structArb(m.model.top, version), { numRuns: 1, seed: version });
        const v = { ...value!, [f.prop]: alt };
        const w = new Writer();
        let err: unknown;
        try {
          m.encode(w, v, version);
        } catch (e) {
          err = e;
        }
        const where = `${m.model.spec.name}.${f.spec.name} v${version}`;
        if (f.spec.ignorable) {
          assert.equal(err, undefined, `${where}: ignorable field must be dropped`);
          const d = m.decode(new Reader(w.toBuffer()), version);
          assert.deepStrictEqual(d[f.prop], defaultValue(f, m.module), where);
          dropped++;
        } else {
          assert.ok(err instanceof ProtocolError && err.code === 'UNSUPPORTED_FIELD', `${where}: expected UNSUPPORTED_FIELD, got ${String(err)}`);
          rejected++;
        }
        assert.ok(!contains(f.present, version));
      }
    }
  }
  assert.ok(dropped > 50 && rejected > 50, `too few cases exercised: ${dropped} dropped, ${rejected} rejected`);
});

/** Some value of the given type different from its default (undefined when not easily built). */
function nonDefault(p: string | undefined, isArray: boolean, isStruct: boolean, def: unknown): unknown {
  if (isArray) return isStruct ? [{}] : p === 'string' ? ['x'] : p === 'int64' ? [1n] : p === 'uuid' ? ['AQAAAAAAAAAAAAAAAAAAAA'] : [1];
  if (isStruct) return def === null ? {} : undefined;
  switch (p) {
    case 'bool':
      return !(def as boolean);
    case 'int64':
      return (def as bigint) === 0n ? 1n : 0n;
    case 'string':
      return def === 'x' ? 'y' : 'x';
    case 'bytes':
    case 'records':
      return Buffer.from([1]);
    case 'uuid':
      return 'AQAAAAAAAAAAAAAAAAAAAA';
    case undefined:
      return undefined;
    default:
      return (def as number) === 0 ? 1 : 0;
  }
}
