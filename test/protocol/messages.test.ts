import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FrameDecoder,
  decodeRequest,
  decodeRequestBody,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  peekCorrelationId,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../src/protocol/messages.js';
import { ApiKeys, API_VERSIONS, ErrorCodes, ERROR_INFO, errorName, isRetriable } from '../../src/protocol/generated/index.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { protocolErrorCode } from '../helpers/protocol-error.js';

test('header versions: v0 only for ControlledShutdown v0, v2 for flexible requests, ApiVersions responses v0', () => {
  assert.equal(requestHeaderVersion(ApiKeys.ControlledShutdown, 0), 0);
  assert.equal(requestHeaderVersion(ApiKeys.Produce, 8), 1);
  assert.equal(requestHeaderVersion(ApiKeys.Produce, 9), 2);
  assert.equal(requestHeaderVersion(ApiKeys.ApiVersions, 3), 2);
  assert.equal(responseHeaderVersion(ApiKeys.Produce, 9), 1);
  assert.equal(responseHeaderVersion(ApiKeys.Metadata, 8), 0);
  for (let v = 0; v <= 4; v++) assert.equal(responseHeaderVersion(ApiKeys.ApiVersions, v), 0);
});

test('request frames: size prefix, header v1 and v2 (client id stays a classic string)', () => {
  const body = { acks: -1, timeoutMs: 1000, topicData: [] };
  const v8 = encodeRequest(ApiKeys.Produce, 8, 42, 'ab', { ...body, transactionalId: null });
  assert.equal(v8.readInt32BE(0), v8.length - 4);
  assert.equal(v8.subarray(4, 16).toString('hex'), '0000' + '0008' + '0000002a' + '00026162');
  const v9 = encodeRequest(ApiKeys.Produce, 9, 42, 'ab', body);
  assert.equal(v9.subarray(4, 17).toString('hex'), '0000' + '0009' + '0000002a' + '00026162' + '00');
  const nul = encodeRequest(ApiKeys.Produce, 9, 1, null, body);
  assert.equal(nul.subarray(12, 14).toString('hex'), 'ffff');
  const { header, body: decoded } = decodeRequest(v9.subarray(4));
  assert.deepEqual(header, { apiKey: 0, apiVersion: 9, correlationId: 42, clientId: 'ab', headerVersion: 2 });
  assert.deepEqual(decoded, { ...body, transactionalId: null });
});

test('ControlledShutdown v0 uses request header v0 (no client id)', () => {
  const f = encodeRequest(ApiKeys.ControlledShutdown, 0, 3, 'ignored', { brokerId: 1 });
  assert.equal(f.toString('hex'), '0000000c' + '0007' + '0000' + '00000003' + '00000001');
  const { header } = decodeRequest(f.subarray(4));
  assert.equal(header.clientId, null);
  assert.equal(header.headerVersion, 0);
});

test('response frames: ApiVersions always header v0, other flexible responses header v1', () => {
  const av = encodeResponse(ApiKeys.ApiVersions, 3, 9, { errorCode: 0, apiKeys: [], throttleTimeMs: 0 });
  assert.equal(av.subarray(4, 10).toString('hex'), '00000009' + '0000', 'correlation id then errorCode, no tag byte');
  assert.deepEqual(decodeResponse(ApiKeys.ApiVersions, 3, av.subarray(4)).body.errorCode, 0);
  const md = encodeResponse(ApiKeys.Metadata, 12, 10, { brokers: [], topics: [] });
  assert.equal(md.subarray(4, 9).toString('hex'), '0000000a' + '00', 'header v1 has an empty tag section');
  assert.equal(peekCorrelationId(md.subarray(4)), 10);
  const { correlationId, body } = decodeResponse(ApiKeys.Metadata, 12, md.subarray(4));
  assert.equal(correlationId, 10);
  assert.deepEqual(body.brokers, []);
  assert.equal(body.clusterId, null);
});

test('unknown API keys and versions are typed errors; their header is still readable', () => {
  const r = new Reader(Buffer.from('03e7' + '0001' + '00000005' + '0001' + '78', 'hex'));
  const h = decodeRequestHeader(r);
  assert.deepEqual(h, { apiKey: 999, apiVersion: 1, correlationId: 5, clientId: 'x', headerVersion: 1 });
  assert.equal(protocolErrorCode(() => decodeRequestBody(999, 1, r)), 'UNKNOWN_API_KEY');
  assert.equal(protocolErrorCode(() => decodeRequestBody(ApiKeys.Produce, 99, r)), 'UNSUPPORTED_VERSION');
  assert.equal(protocolErrorCode(() => encodeRequest(ApiKeys.Produce, 99, 1, null, { acks: 1, timeoutMs: 1, topicData: [] })), 'UNSUPPORTED_VERSION');
  // An ApiVersions request newer than we know still has a readable (flexible) header.
  const future = new Reader(Buffer.from('0012' + '0063' + '00000001' + '0001' + '78' + '00', 'hex'));
  assert.equal(decodeRequestHeader(future).headerVersion, 2);
  assert.equal(future.remaining(), 0);
});

test('FrameDecoder reassembles frames split at arbitrary points', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      (payloads, cuts) => {
        const stream = Buffer.concat(
          payloads.map((p) => {
            const b = Buffer.alloc(4 + p.length);
            b.writeInt32BE(p.length, 0);
            b.set(p, 4);
            return b;
          }),
        );
        const d = new FrameDecoder(1000);
        const got: Buffer[] = [];
        let pos = 0;
        let i = 0;
        while (pos < stream.length) {
          const n = Math.min(cuts[i++ % cuts.length]!, stream.length - pos);
          got.push(...d.push(stream.subarray(pos, pos + n)).map((f) => Buffer.from(f)));
          pos += n;
        }
        assert.deepEqual(got, payloads.map((p) => Buffer.from(p)));
        assert.equal(d.bufferedBytes, 0);
      },
    ),
  );
});

test('FrameDecoder rejects oversized and negative sizes before buffering them', () => {
  assert.equal(protocolErrorCode(() => new FrameDecoder(100).push(Buffer.from('00000065', 'hex'))), 'BAD_FRAME');
  assert.equal(protocolErrorCode(() => new FrameDecoder(100).push(Buffer.from('ffffffff', 'hex'))), 'BAD_FRAME');
  const d = new FrameDecoder(100);
  assert.deepEqual(d.push(Buffer.from('00', 'hex')), []);
  assert.equal(protocolErrorCode(() => d.push(Buffer.from('7fffff', 'hex'))), 'BAD_FRAME');
});

test('api key and error code tables', () => {
  assert.equal(ApiKeys.Produce, 0);
  assert.equal(ApiKeys.ApiVersions, 18);
  const produce = API_VERSIONS.find((a) => a.apiKey === 0)!;
  assert.equal(produce.name, 'Produce');
  assert.equal(produce.flexibleMinVersion, 9);
  assert.ok(produce.maxVersion >= 9);
  assert.equal(API_VERSIONS.find((a) => a.name === 'SaslHandshake')!.flexibleMinVersion, null);
  assert.equal(ErrorCodes.NONE, 0);
  assert.equal(ErrorCodes.UNKNOWN_SERVER_ERROR, -1);
  assert.equal(ErrorCodes.NOT_LEADER_OR_FOLLOWER, 6);
  assert.equal(ErrorCodes.UNSUPPORTED_VERSION, 35);
  assert.equal(ErrorCodes.TRANSACTION_ABORTABLE, 120);
  assert.equal(errorName(3), 'UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(errorName(9999), 'UNKNOWN_9999');
  assert.equal(isRetriable(ErrorCodes.NOT_COORDINATOR), true);
  assert.equal(isRetriable(ErrorCodes.TOPIC_AUTHORIZATION_FAILED), false);
  assert.equal(ERROR_INFO[-1]!.name, 'UNKNOWN_SERVER_ERROR');
  // Codes are contiguous from -1 to the highest one.
  const codes = Object.values(ErrorCodes).sort((a, b) => a - b);
  codes.forEach((c, i) => assert.equal(c, i - 1));
});

test('encodeResponseChunks references large record buffers instead of copying them', async () => {
  const { encodeResponseChunks } = await import('../../src/protocol/messages.js');
  const records = Buffer.alloc(20000, 9);
  const body = {
    responses: [
      {
        topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
        partitions: [
          { partitionIndex: 0, errorCode: 0, highWatermark: 5n, records },
          { partitionIndex: 1, errorCode: 0, highWatermark: 5n, records: Buffer.from('small') },
        ],
      },
    ],
  };
  const chunks = encodeResponseChunks(ApiKeys.Fetch, 16, 77, body);
  assert.ok(chunks.includes(records));
  const joined = Buffer.concat(chunks);
  assert.ok(joined.equals(encodeResponse(ApiKeys.Fetch, 16, 77, body)));
  assert.equal(joined.readInt32BE(0), joined.length - 4);
  const decoded = decodeResponse(ApiKeys.Fetch, 16, joined.subarray(4));
  assert.ok(decoded.body.responses[0]!.partitions[0]!.records!.equals(records));
});
