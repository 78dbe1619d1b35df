import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PartitionLog } from '../../src/storage/index.js';
import { encodeControlBatch, ControlRecordType } from '../../src/protocol/records/control-records.js';
import { batch, tempDir } from './helpers.js';

const TP = { topic: 'tx', partition: 0 };

test('transactions: last stable offset, aborted transactions in .txnindex, rebuilt after a crash', async () => {
  const tmp = await tempDir();
  try {
    const dir = join(tmp.path, 'tx-0');
    const log = await PartitionLog.open({ dir, topicPartition: TP });
    const marker = (type: ControlRecordType.Commit | ControlRecordType.Abort, pid: number) =>
      encodeControlBatch({ type, producerId: pid, producerEpoch: 0, coordinatorEpoch: 9, timestamp: 1_700_000_000_100 });
    await log.append(batch({ count: 2 })); // 0-1 plain
    await log.append(batch({ count: 2, producerId: 7, producerEpoch: 0, baseSequence: 0, transactional: true })); // 2-3
    await log.append(batch({ count: 1, producerId: 8, producerEpoch: 0, baseSequence: 0, transactional: true })); // 4
    log.highWatermark = log.logEndOffset;
    assert.equal(log.lastStableOffset, 2, 'the open transaction of producer 7 starts at 2');
    await log.append(marker(ControlRecordType.Abort, 7)); // 5
    log.highWatermark = log.logEndOffset;
    assert.equal(log.lastStableOffset, 4, 'producer 8 still open');
    assert.equal(log.producerState.get(7)!.coordinatorEpoch, 9);
    await log.append(marker(ControlRecordType.Commit, 8)); // 6
    log.highWatermark = log.logEndOffset;
    assert.equal(log.lastStableOffset, 7);
    assert.deepEqual(log.collectAbortedTransactions(0, 7), [{ producerId: 7, firstOffset: 2 }]);
    assert.deepEqual(log.collectAbortedTransactions(6, 7), [], 'aborted transaction ended before the fetch offset');
    assert.deepEqual(log.collectAbortedTransactions(0, 2), [], 'starts at or after the upper bound');
    await log.forceRoll();
    const names = await readdir(dir);
    assert.ok(names.includes('00000000000000000000.txnindex'));
    const txn = await readFile(join(dir, '00000000000000000000.txnindex'));
    assert.equal(txn.length, 34);
    assert.equal(Number(txn.readBigInt64BE(2)), 7);
    assert.equal(Number(txn.readBigInt64BE(10)), 2);
    assert.equal(Number(txn.readBigInt64BE(18)), 5);
    await log.append(batch({ count: 1, producerId: 7, producerEpoch: 0, baseSequence: 2, transactional: true })); // 7
    await log.append(marker(ControlRecordType.Abort, 7)); // 8
    await log.close();

    // Clean reopen: from the files.
    let again = await PartitionLog.open({ dir, topicPartition: TP, hadCleanShutdown: true, recoveryPoint: 9 });
    assert.deepEqual(again.collectAbortedTransactions(0, 9), [
      { producerId: 7, firstOffset: 2 },
      { producerId: 7, firstOffset: 7 },
    ]);
    await again.close();
    // Crash without the txnindex of the active segment nor the producer snapshot: rebuilt by replay.
    await unlink(join(dir, '00000000000000000007.txnindex'));
    for (const n of await readdir(dir)) if (n === '00000000000000000009.snapshot') await unlink(join(dir, n));
    again = await PartitionLog.open({ dir, topicPartition: TP });
    assert.deepEqual(
      again.collectAbortedTransactions(0, 9).map((t) => t.firstOffset),
      [2, 7],
    );
    // Truncation forgets the aborted transaction whose marker is cut.
    await again.truncateTo(8);
    assert.deepEqual(again.collectAbortedTransactions(0, 9).map((t) => t.firstOffset), [2]);
    assert.equal(again.producerState.get(7)!.currentTxnFirstOffset, 7, 'transaction open again after truncation');
    await again.close();
  } finally {
    await tmp.cleanup();
  }
});
