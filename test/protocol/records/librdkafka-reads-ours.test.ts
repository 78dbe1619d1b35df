// Batches Gregor encodes, in every codec, are sent in a Produce request to librdkafka's mock cluster (which stores
// them as they are) and read back by real consumers: kcat (librdkafka 2.0.2) for all codecs, kafkajs for gzip (the
// only codec it ships). This is the proof that our xerial snappy, LZ4 frames and zstd frames are what Kafka
// clients accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startMockCluster } from '../../helpers/mock-cluster.js';
import { kcatConsume, kafkajsConsume } from '../../helpers/real-clients.js';
import { encodeRequest, decodeResponse, FrameDecoder } from '../../../src/protocol/messages.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { CompressionType, COMPRESSION_NAMES } from '../../../src/protocol/compression/index.js';

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

const messages = Array.from({ length: 300 }, (_, i) => ({
  key: i % 10 === 0 ? null : Buffer.from(`key-${i}`),
  value: i % 17 === 0 ? null : Buffer.from(`value ${i} `.repeat(1 + (i % 40))),
  // (no null header values here: kcat's text output prints them as "NULL")
  headers: i % 3 === 0 ? [{ key: 'h', value: Buffer.from(`hv${i}`) }, { key: 'second', value: Buffer.from('2') }] : [],
  timestamp: 1_700_000_000_000 + i,
}));

/** One request/response exchange on a plain socket (size-prefixed frames). */
function exchange(socket: Socket, frame: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder();
    const onData = (d: Buffer) => {
      const [response] = decoder.push(d);
      if (response) {
        socket.off('data', onData);
        resolve(response);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(frame);
  });
}

test('librdkafka (kcat) and kafkajs consume batches Gregor encoded, every codec', { timeout: 120_000 }, async () => {
  const topics = CODECS.map((c) => ({ name: `records-${COMPRESSION_NAMES[c]}`, partitions: 1 }));
  const cluster = await startMockCluster({ topics });
  try {
    const [host, port] = cluster.bootstrap.split(',')[0]!.split(':');
    const socket = connect(Number(port), host);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    try {
      let correlationId = 1;
      for (const codec of CODECS) {
        const records = encodeRecordBatch({ compression: codec, records: messages });
        const frame = encodeRequest(0, 7, correlationId, 'gregor-records-test', {
          transactionalId: null,
          acks: -1,
          timeoutMs: 10_000,
          topicData: [{ name: `records-${COMPRESSION_NAMES[codec]}`, partitionData: [{ index: 0, records }] }],
        });
        const { correlationId: got, body } = decodeResponse(0, 7, await exchange(socket, frame));
        assert.equal(got, correlationId++);
        assert.equal(body.responses[0]!.partitionResponses[0]!.errorCode, 0, `produce ${COMPRESSION_NAMES[codec]}`);
      }
    } finally {
      socket.destroy();
    }
    for (const codec of CODECS) {
      const topic = `records-${COMPRESSION_NAMES[codec]}`;
      const consumed = await kcatConsume({ bootstrap: cluster.bootstrap, topic, count: messages.length });
      assert.equal(consumed.length, messages.length, `kcat ${topic}`);
      consumed.forEach((m, i) => {
        const want = messages[i]!;
        assert.equal(m.offset, BigInt(i));
        assert.equal(m.timestamp, BigInt(want.timestamp));
        assert.deepEqual(m.key, want.key, `${topic} key ${i}`);
        assert.deepEqual(m.value, want.value, `${topic} value ${i}`);
        assert.deepEqual(m.headers, want.headers, `${topic} headers ${i}`);
      });
    }
    const viaKafkajs = await kafkajsConsume({ bootstrap: cluster.bootstrap, topic: 'records-gzip', count: messages.length });
    assert.equal(viaKafkajs.length, messages.length);
    assert.deepEqual(viaKafkajs[299]!.value, messages[299]!.value);
  } finally {
    await cluster.stop();
  }
});
