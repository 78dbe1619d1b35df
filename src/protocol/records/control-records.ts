// Control records: what a transaction coordinator's WriteTxnMarkers makes a partition leader append when a
// transaction ends (COMMIT/ABORT), plus the other control types Kafka defines (KRaft uses them in its metadata log).
// A control batch has the control and transactional attribute bits set and holds one record whose
//   key   = version int16 (0) | type int16
//   value = for COMMIT/ABORT (EndTransactionMarker): version int16 (0) | coordinatorEpoch int32
// Consumers use them to drop aborted data (read_committed) and never hand them to applications.
import { encodeRecordBatch, type DecodedBatch, type Record as BatchRecord } from './record-batch.js';
import { KafkaErrors, RecordBatchError } from './errors.js';

export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
  LeaderChange = 2,
  SnapshotHeader = 3,
  SnapshotFooter = 4,
  KraftVersion = 5,
  KraftVoters = 6,
}

export const CONTROL_KEY_VERSION = 0;
export const END_TXN_MARKER_VERSION = 0;

export interface EndTxnMarkerOptions {
  type: ControlRecordType.Commit | ControlRecordType.Abort;
  producerId: number | bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  baseOffset?: number | bigint;
  partitionLeaderEpoch?: number;
  /** Record/batch timestamp (default Date.now()). */
  timestamp?: number;
}

export function encodeControlKey(type: ControlRecordType): Buffer {
  const key = Buffer.allocUnsafe(4);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(6);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** A complete control batch carrying one COMMIT or ABORT marker, as a leader appends it (Kafka: withEndTransactionMarker). */
export function encodeControlBatch(opts: EndTxnMarkerOptions): Buffer {
  const timestamp = opts.timestamp ?? Date.now();
  return encodeRecordBatch({
    baseOffset: opts.baseOffset,
    partitionLeaderEpoch: opts.partitionLeaderEpoch,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
    records: [{ key: encodeControlKey(opts.type), value: encodeEndTxnMarkerValue(opts.coordinatorEpoch), timestamp }],
  });
}

export type ControlRecord =
  | { type: ControlRecordType.Commit | ControlRecordType.Abort; version: number; coordinatorEpoch: number }
  | { type: Exclude<ControlRecordType, ControlRecordType.Commit | ControlRecordType.Abort>; version: number; value: Buffer | null }
  | { type: number; version: number; value: Buffer | null; unknown: true };

/** The type in a control record's key. */
export function controlRecordType(key: Buffer | null): number {
  if (key === null || key.length < 4) {
    throw new RecordBatchError('BAD_RECORD', 'control record key must hold version and type (4 bytes)', KafkaErrors.INVALID_RECORD);
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new RecordBatchError('BAD_RECORD', `bad control key version ${version}`, KafkaErrors.INVALID_RECORD);
  return key.readInt16BE(2);
}

/**
 * Decodes a control record. COMMIT/ABORT values must hold at least version + coordinatorEpoch (later versions may add
 * fields after them, which are ignored, as Kafka's reader does); other types return their raw value.
 */
export function decodeControlRecord(record: Pick<BatchRecord, 'key' | 'value'>): ControlRecord {
  const type = controlRecordType(record.key);
  const keyVersion = record.key!.readInt16BE(0);
  if (type === ControlRecordType.Commit || type === ControlRecordType.Abort) {
    const v = record.value;
    if (v === null || v.length < 6) {
      throw new RecordBatchError('BAD_RECORD', 'end transaction marker value must hold version and coordinator epoch', KafkaErrors.INVALID_RECORD);
    }
    return { type, version: v.readInt16BE(0), coordinatorEpoch: v.readInt32BE(2) };
  }
  if (type >= ControlRecordType.LeaderChange && type <= ControlRecordType.KraftVoters) {
    return { type: type as Exclude<ControlRecordType, ControlRecordType.Commit | ControlRecordType.Abort>, version: keyVersion, value: record.value };
  }
  return { type, version: keyVersion, value: record.value, unknown: true };
}

/** The marker of a decoded control batch (first record), or throws if the batch is not a control batch. */
export function decodeControlBatch(batch: DecodedBatch): ControlRecord {
  if (!batch.isControl) throw new RecordBatchError('BAD_RECORD', 'not a control batch', KafkaErrors.INVALID_RECORD);
  const first = batch.records[0];
  if (!first) throw new RecordBatchError('BAD_RECORD', 'control batch without records', KafkaErrors.INVALID_RECORD);
  return decodeControlRecord(first);
}
