import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startGregor } from './broker.js';
import { kcatConsume, kcatProduce } from './real-clients.js';

test('startGregor: serves clients, survives kill -9 + restart on the same port and data, close removes the data dir', async () => {
  const broker = await startGregor({ overrides: { 'num.partitions': '1', 'offsets.topic.num.partitions': '1' } });
  try {
    assert.match(broker.bootstrap, /^127\.0\.0\.1:\d+$/);
    const firstPid = broker.pid;
    const messages = [{ key: Buffer.from('k'), value: Buffer.from('survives'), partition: 0 }];
    await kcatProduce({ bootstrap: broker.bootstrap, topic: 'helper', messages, config: { acks: 'all' }, timeoutMs: 20_000 });
    await broker.kill9();
    assert.throws(() => process.kill(firstPid, 0), /ESRCH/);
    await broker.restart();
    assert.notEqual(broker.pid, firstPid);
    const got = await kcatConsume({ bootstrap: broker.bootstrap, topic: 'helper', count: 1, timeoutMs: 20_000 });
    assert.deepEqual(got.map((m) => m.value?.toString()), ['survives']);
    const exit = await broker.stop('SIGTERM');
    assert.equal(exit.code, 0, broker.output().slice(-2000));
  } finally {
    await broker.close();
  }
  assert.equal(existsSync(broker.dataDir), false);
});
