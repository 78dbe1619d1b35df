import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMockCluster } from './mock-cluster.js';
import { kcatMetadata } from './real-clients.js';

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: unknown[] }[];
}

test('mock cluster starts N brokers with pre-created topics and stops cleanly', async () => {
  const mc = await startMockCluster({ brokers: 3, topics: [{ name: 'orders', partitions: 4 }] });
  try {
    assert.equal(mc.brokers.length, 3);
    assert.match(mc.bootstrap, /^127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){2}$/);
    const md = (await kcatMetadata(mc.bootstrap, 'orders', 15_000)) as KcatMetadata;
    assert.deepEqual(md.brokers.map((b) => b.id).sort(), [1, 2, 3]);
    const orders = md.topics.find((t) => t.topic === 'orders');
    assert.equal(orders?.partitions.length, 4);
  } finally {
    await mc.stop();
  }
  // After stop the process is gone: signalling it fails with ESRCH.
  assert.throws(() => process.kill(mc.pid, 0), /ESRCH/);
});
