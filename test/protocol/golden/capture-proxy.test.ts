// The capture proxy behind the golden fixtures: it must keep clients on the proxy (rewriting the advertised
// port) and record every request/response frame intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureProxy, rewriteAdvertisedPort } from '../../../scripts/capture/proxy.js';
import { startMockCluster } from '../../helpers/mock-cluster.js';
import { kcatConsume, kcatMetadata, kcatProduce } from '../../helpers/real-clients.js';

test('rewriteAdvertisedPort changes only host+port occurrences of the upstream port', () => {
  const host = Buffer.from('127.0.0.1');
  const port = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const frame = Buffer.concat([port(41000), host, port(41000), host, port(5), Buffer.from('x'), host]);
  const out = rewriteAdvertisedPort(frame, '127.0.0.1', 41000, 9092);
  assert.deepEqual(out, Buffer.concat([port(41000), host, port(9092), host, port(5), Buffer.from('x'), host]));
  assert.deepEqual(frame.subarray(13, 17), port(41000), 'input untouched');
});

test('clients stay on the proxy and every frame is recorded with its api key and version', async () => {
  const mock = await startMockCluster({ brokers: 1, topics: [{ name: 'cap', partitions: 1 }] });
  const proxy = await CaptureProxy.start(mock.bootstrap);
  try {
    const md = (await kcatMetadata(proxy.bootstrap, 'cap', 15_000)) as { brokers: { name: string }[] };
    assert.deepEqual(md.brokers.map((b) => b.name), [proxy.bootstrap]);
    const messages = [{ key: Buffer.from('k'), value: Buffer.from('v'), partition: 0 }];
    await kcatProduce({ bootstrap: proxy.bootstrap, topic: 'cap', messages, timeoutMs: 15_000 });
    const got = await kcatConsume({ bootstrap: proxy.bootstrap, topic: 'cap', count: 1, timeoutMs: 15_000 });
    assert.deepEqual(got[0]?.value, Buffer.from('v'));
    const requests = proxy.frames.filter((f) => f.direction === 'request');
    const responses = proxy.frames.filter((f) => f.direction === 'response');
    for (const api of [18, 3, 0, 1]) assert.ok(requests.some((f) => f.apiKey === api), `request api ${api} seen`);
    for (const f of proxy.frames) assert.equal(f.bytes.readInt32BE(0), f.bytes.length - 4);
    // Every response is matched to its request (acks=1, so Produce has one too).
    for (const res of responses) {
      const req = requests.find((q) => q.conn === res.conn && q.correlationId === res.correlationId);
      assert.ok(req, `request for response ${res.conn}/${res.correlationId}`);
      assert.equal(res.apiKey, req.apiKey);
      assert.equal(res.apiVersion, req.apiVersion);
    }
  } finally {
    await proxy.close();
    await mock.stop();
  }
});
