// Mutated and random frames at a live broker: valid headers with garbage bodies, truncated frames, wrong versions,
// bit-flipped real requests, absurd sizes. The broker must stay up, a well-behaved client running at the same time
// must see every one of its writes acknowledged and readable, and nothing may be lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { encodeRequest } from '../../src/protocol/messages.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { RawClient, startTestBroker } from './harness.js';

/** Small deterministic PRNG so a failure can be replayed with the printed seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

function validRequests(): Buffer[] {
  const batch = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('fuzz') }] });
  return [
    encodeRequest(ApiKeys.ApiVersions, 3, 1, 'f', { clientSoftwareName: 'f', clientSoftwareVersion: '1' }),
    encodeRequest(ApiKeys.Metadata, 12, 2, 'f', { topics: [{ name: 'fuzz-target' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }),
    encodeRequest(ApiKeys.Produce, 9, 3, 'f', { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'fuzz-target', partitionData: [{ index: 0, records: batch }] }] }),
    encodeRequest(ApiKeys.Fetch, 12, 4, 'f', {
      replicaId: -1, maxWaitMs: 10, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'fuzz-target', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '',
    }),
    encodeRequest(ApiKeys.ListOffsets, 7, 5, 'f', { replicaId: -1, isolationLevel: 0, topics: [{ name: 'fuzz-target', partitions: [{ partitionIndex: 0, timestamp: -1n }] }] }),
    encodeRequest(ApiKeys.DescribeConfigs, 4, 6, 'f', { resources: [{ resourceType: 2, resourceName: 'fuzz-target', configurationKeys: null }], includeSynonyms: true, includeDocumentation: false }),
    encodeRequest(ApiKeys.JoinGroup, 5, 7, 'f', { groupId: 'g', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 100, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(4) }] }),
  ].map((b) => Buffer.from(b));
}

function mutate(r: () => number, valid: Buffer[]): Buffer {
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  const kind = Math.floor(r() * 6);
  const base = Buffer.from(pick(valid));
  switch (kind) {
    case 0: {
      // flip some bytes after the size prefix
      const n = 1 + Math.floor(r() * 8);
      for (let i = 0; i < n; i++) base[4 + Math.floor(r() * (base.length - 4))] = Math.floor(r() * 256);
      return base;
    }
    case 1: {
      // truncated body, size prefix adjusted (the frame is complete but the request is cut)
      const cut = 12 + Math.floor(r() * (base.length - 12));
      const b = base.subarray(0, cut);
      b.writeInt32BE(cut - 4, 0);
      return b;
    }
    case 2: {
      // valid header, garbage body
      const body = Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
      const hdr = base.subarray(0, 4 + 8 + 2 + base.readInt16BE(12) + (base.readInt16BE(12) > 0 ? 0 : 0));
      const b = Buffer.concat([hdr, body]);
      b.writeInt32BE(b.length - 4, 0);
      return b;
    }
    case 3: {
      // wrong version / unknown api key
      base.writeInt16BE(Math.floor(r() * 40) - 5, 6);
      if (r() < 0.3) base.writeInt16BE(Math.floor(r() * 200), 4);
      return base;
    }
    case 4: {
      // random bytes with a plausible or absurd size
      const n = Math.floor(r() * 300);
      const b = Buffer.from(Array.from({ length: 4 + n }, () => Math.floor(r() * 256)));
      if (r() < 0.7) b.writeInt32BE(n, 0);
      return b;
    }
    default: {
      // frame cut mid-way (the connection then closes with a partial frame pending)
      return base.subarray(0, Math.floor(r() * base.length));
    }
  }
}

test('random and mutated frames do not disturb other clients or lose data', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
  const r = rng(seed);
  const tb = await startTestBroker();
  try {
    const good = await RawClient.connect(tb.port);
    const created = await good.send(ApiKeys.CreateTopics, 7, { topics: [{ name: 'fuzz-target', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }, { name: 'precious', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
    assert.deepEqual(created.topics.map((t) => t.errorCode), [0, 0]);
    const valid = validRequests();
    let acked = 0;
    const goodTraffic = (async () => {
      for (let i = 0; i < 200; i++) {
        const res = await good.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'precious', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.from(`good-${i}`) }] }) }] }] });
        assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
        assert.equal(res.responses[0]!.partitionResponses[0]!.baseOffset, BigInt(i));
        acked++;
      }
    })();
    const attacks: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      const frames = Array.from({ length: 1 + Math.floor(r() * 3) }, () => mutate(r, valid));
      attacks.push(
        new Promise<void>((resolve) => {
          const s = connect(tb.port, '127.0.0.1', () => {
            for (const f of frames) s.write(f);
            setTimeout(() => s.destroy(), 50 + Math.floor(r() * 100));
          });
          s.on('data', () => {});
          s.on('error', () => {});
          s.on('close', () => resolve());
        }),
      );
      if (i % 20 === 0) await new Promise((res) => setTimeout(res, 5));
    }
    await Promise.all(attacks);
    await goodTraffic;
    assert.equal(acked, 200, `seed ${seed}`);
    // Still serving, and every acknowledged record is readable.
    const fetched = await good.send(ApiKeys.Fetch, 12, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 24, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'precious', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 24 }] }], forgottenTopicsData: [], rackId: '',
    });
    assert.equal(fetched.responses[0]!.partitions[0]!.highWatermark, 200n, `seed ${seed}`);
    const fresh = await RawClient.connect(tb.port);
    const api = await fresh.send(ApiKeys.ApiVersions, 3, { clientSoftwareName: 'after', clientSoftwareVersion: '1' });
    assert.equal(api.errorCode, 0);
    fresh.close();
    good.close();
  } finally {
    await tb.stop();
  }
});
