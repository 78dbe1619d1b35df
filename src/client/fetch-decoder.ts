// Consumer-side decoding of a Fetch response's records: walks the batches in place, checks CRCs (check.crcs),
// decompresses, and hands each record's offset/timestamp/key/value (slices, no copies) to a callback. Records
// before the fetch offset (a compressed batch is returned whole) are skipped, control batches are skipped, and
// under read_committed records of aborted transactions are dropped using the response's aborted list.
// A trailing partial batch (allowed by Kafka's Fetch) ends decoding quietly.
import * as H from '../protocol/records/batch-header.js';
import { crc32c } from '../protocol/records/crc32c.js';
import { decompressSync } from '../protocol/compression/index.js';
import { CompressionType } from '../protocol/compression/types.js';
import { KafkaClientError } from './errors.js';
import type { Header } from './serdes.js';

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: Header[];
  leaderEpoch: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
}

const TWO_32 = 4294967296;
function int64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

class Cursor {
  constructor(
    public buf: Buffer,
    public pos: number,
    public end: number,
  ) {}
  varint(): number {
    let shift = 0;
    let result = 0;
    for (;;) {
      if (this.pos >= this.end) throw new KafkaClientError('corrupt record: truncated varint');
      const b = this.buf[this.pos++]!;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) throw new KafkaClientError('corrupt record: varint too long');
    }
    if (shift < 28) return (result >>> 1) ^ -(result & 1);
    // zig-zag for values beyond 32 bits (timestamp deltas)
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }
  bytes(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    if (this.pos + len > this.end) throw new KafkaClientError('corrupt record: length beyond batch');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
}

export interface DecodeOptions {
  fetchOffset: number;
  checkCrcs: boolean;
  readCommitted: boolean;
  aborted: AbortedTxn[] | null;
}

/**
 * Decodes `records` (a Fetch partition's records field). Returns the offset to fetch next (past the last complete
 * batch, even when all of its records were filtered), or -1 if no complete batch was present.
 */
/** Receives each record's fields as arguments (no intermediate object per record). */
export type RecordSink = (
  offset: number,
  timestamp: number,
  logAppendTime: boolean,
  key: Buffer | null,
  value: Buffer | null,
  headers: Header[],
  leaderEpoch: number,
) => void;

/** Shared, frozen header list for the (common) records without headers. */
export const NO_HEADERS: Header[] = Object.freeze([]) as unknown as Header[];

/** decodeFetchedRecords with one object per record (tests, tools). */
export function decodeFetchedRecordObjects(records: Buffer, opts: DecodeOptions, emit: (r: DecodedRecord) => void): number {
  return decodeFetchedRecords(records, opts, (offset, timestamp, lat, key, value, headers, leaderEpoch) =>
    emit({ offset, timestamp, timestampType: lat ? 'LogAppendTime' : 'CreateTime', key, value, headers, leaderEpoch }),
  );
}

export function decodeFetchedRecords(records: Buffer, opts: DecodeOptions, emit: RecordSink): number {
  let pos = 0;
  let next = -1;
  // aborted transactions sorted by first offset; active aborted producer ids while walking
  const aborted = opts.readCommitted && opts.aborted ? [...opts.aborted].sort((a, b) => a.firstOffset - b.firstOffset) : null;
  let abortedIdx = 0;
  const abortedProducers = new Set<number>();
  while (pos + H.LOG_OVERHEAD <= records.length) {
    const batchLength = records.readInt32BE(pos + H.BATCH_LENGTH);
    const size = H.LOG_OVERHEAD + batchLength;
    if (batchLength < 0 || pos + size > records.length) break; // partial trailing batch
    const base = pos;
    pos += size;
    const magic = records.readInt8(base + H.MAGIC);
    if (magic !== 2) {
      throw new KafkaClientError(`message format v${magic} is not supported by this client (only v2 record batches)`);
    }
    if (batchLength < H.BATCH_HEADER_SIZE - H.LOG_OVERHEAD) throw new KafkaClientError('corrupt record batch: too short');
    const baseOffset = int64(records, base + H.BASE_OFFSET);
    const lastOffsetDelta = records.readInt32BE(base + H.LAST_OFFSET_DELTA);
    next = baseOffset + lastOffsetDelta + 1;
    if (opts.checkCrcs) {
      const crc = records.readUInt32BE(base + H.CRC);
      if (crc32c(records.subarray(base + H.ATTRIBUTES, base + size)) !== crc) {
        throw new KafkaClientError(`Record batch for offset ${baseOffset} is corrupt (CRC mismatch)`);
      }
    }
    const attributes = records.readInt16BE(base + H.ATTRIBUTES);
    const producerId = int64(records, base + H.PRODUCER_ID);
    if (aborted) {
      while (abortedIdx < aborted.length && aborted[abortedIdx]!.firstOffset <= next - 1) abortedProducers.add(aborted[abortedIdx++]!.producerId);
    }
    if (attributes & H.CONTROL_BIT) {
      // a commit/abort marker ends that producer's transaction
      if (aborted) abortedProducers.delete(producerId);
      continue;
    }
    if (next <= opts.fetchOffset) continue;
    if (aborted && attributes & H.TRANSACTIONAL_BIT && abortedProducers.has(producerId)) continue;
    const count = records.readInt32BE(base + H.RECORD_COUNT);
    const baseTimestamp = int64(records, base + H.BASE_TIMESTAMP);
    const logAppend = (attributes & H.TIMESTAMP_TYPE_BIT) !== 0;
    const maxTimestamp = logAppend ? int64(records, base + H.MAX_TIMESTAMP) : 0;
    const leaderEpoch = records.readInt32BE(base + H.PARTITION_LEADER_EPOCH);
    const codec = (attributes & H.COMPRESSION_MASK) as CompressionType;
    let cur: Cursor;
    if (codec === CompressionType.None) cur = new Cursor(records, base + H.RECORDS, base + size);
    else {
      const data = decompressSync(codec, records.subarray(base + H.RECORDS, base + size));
      cur = new Cursor(data, 0, data.length);
    }
    for (let i = 0; i < count; i++) {
      const len = cur.varint();
      const recEnd = cur.pos + len;
      if (len < 0 || recEnd > cur.end) throw new KafkaClientError('corrupt record: length beyond batch');
      cur.pos++; // attributes
      const tsDelta = cur.varint();
      const offsetDelta = cur.varint();
      const key = cur.bytes();
      const value = cur.bytes();
      const nh = cur.varint();
      let headers = NO_HEADERS;
      if (nh > 0) {
        headers = [];
        for (let h = 0; h < nh; h++) {
          const hk = cur.bytes();
          headers.push({ key: hk ? hk.toString('utf8') : '', value: cur.bytes() });
        }
      }
      cur.pos = recEnd;
      const offset = baseOffset + offsetDelta;
      if (offset < opts.fetchOffset) continue;
      emit(offset, logAppend ? maxTimestamp : baseTimestamp + tsDelta, logAppend, key, value, headers, leaderEpoch);
    }
  }
  return next;
}
