import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ControlRecordType,
  decodeControlBatch,
  decodeControlRecord,
  encodeControlBatch,
  encodeControlKey,
  controlRecordType,
} from '../../../src/protocol/records/control-records.js';
import { decodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { RecordBatchView } from '../../../src/protocol/records/batch-view.js';
import { RecordBatchError } from '../../../src/protocol/records/errors.js';

test('COMMIT and ABORT markers: control batch layout and round trip', () => {
  for (const type of [ControlRecordType.Commit, ControlRecordType.Abort] as const) {
    const buf = encodeControlBatch({ type, producerId: 4001n, producerEpoch: 3, coordinatorEpoch: 17, baseOffset: 42, timestamp: 1_700_000_000_000 });
    const view = new RecordBatchView(buf);
    assert.ok(view.isControl);
    assert.ok(view.isTransactional);
    assert.equal(view.producerId, 4001);
    assert.equal(view.producerEpoch, 3);
    assert.equal(view.baseSequence, -1);
    assert.equal(view.recordCount, 1);
    assert.ok(view.isCrcValid());
    const batch = decodeRecordBatch(buf);
    const rec = batch.records[0]!;
    // key bytes exactly: version 0, type
    assert.deepEqual([...rec.key!], [0, 0, 0, type]);
    // value bytes exactly: version 0, coordinator epoch 17
    assert.deepEqual([...rec.value!], [0, 0, 0, 0, 0, 17]);
    assert.equal(rec.offset, 42);
    assert.deepEqual(decodeControlBatch(batch), { type, version: 0, coordinatorEpoch: 17 });
  }
});

test('newer marker versions with extra fields still decode; other control types keep their raw value', () => {
  const value = Buffer.from([0, 1, 0, 0, 0, 9, 0xaa, 0xbb]);
  assert.deepEqual(decodeControlRecord({ key: encodeControlKey(ControlRecordType.Commit), value }), {
    type: ControlRecordType.Commit,
    version: 1,
    coordinatorEpoch: 9,
  });
  const leader = decodeControlRecord({ key: encodeControlKey(ControlRecordType.LeaderChange), value: Buffer.from([1, 2]) });
  assert.equal(leader.type, ControlRecordType.LeaderChange);
  const unknown = decodeControlRecord({ key: Buffer.from([0, 0, 0, 99]), value: null });
  assert.equal(unknown.type, 99);
  assert.ok('unknown' in unknown);
});

test('malformed control records -> typed errors', () => {
  const bad = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof RecordBatchError && e.kafkaErrorCode === 87);
  bad(() => controlRecordType(null));
  bad(() => controlRecordType(Buffer.from([0, 0, 1])));
  bad(() => controlRecordType(Buffer.from([0xff, 0xff, 0, 1])));
  bad(() => decodeControlRecord({ key: encodeControlKey(ControlRecordType.Abort), value: Buffer.from([0, 0, 0]) }));
  bad(() => decodeControlRecord({ key: encodeControlKey(ControlRecordType.Abort), value: null }));
  const marker = decodeRecordBatch(encodeControlBatch({ type: ControlRecordType.Abort, producerId: 1, producerEpoch: 0, coordinatorEpoch: 0 }));
  bad(() => decodeControlBatch({ ...marker, isControl: false }));
  bad(() => decodeControlBatch({ ...marker, records: [] }));
});
