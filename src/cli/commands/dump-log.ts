// kafka-dump-log.sh (DumpLogSegments): prints the batches and records of .log segments, the entries of .index and
// .timeindex files (checking them against the log), with Kafka's line formats. Batches are read one at a time from
// the file (never the whole segment in memory); records are decoded by the records module, index files are read
// with the storage module's index classes.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type CommandSpec, UsageError, parseInteger } from '../lib/args.js';
import { runCommand, type Context } from '../lib/command.js';
import { RecordBatchView } from '../../protocol/records/batch-view.js';
import { decodeRecordBatch } from '../../protocol/records/record-batch.js';
import { decodeLegacyMessageSet } from '../../protocol/records/legacy.js';
import { decodeAssignment } from '../../client/consumer-protocol.js';
import { crc32 } from '../../protocol/records/crc32.js';
import { TimestampType } from '../../protocol/records/types.js';
import { OffsetIndex, TimeIndex } from '../../storage/index-file.js';
import { decodeClassicKey, decodeOffsetCommitValue, decodeGroupMetadataValue } from '../../coordinator/records.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Dump log segments, offset and time indexes (kafka-dump-log.sh).';

export const spec: CommandSpec = {
  name: 'dump-log',
  description: 'This tool helps to parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment.',
  options: [
    { name: 'files', arg: 'required', argName: 'String: file1, file2, ...', description: 'REQUIRED: The comma separated list of data and index log files to be dumped.' },
    { name: 'print-data-log', description: 'if set, printing the messages content when dumping data logs. Automatically set if any decoder option is specified.' },
    { name: 'verify-index-only', description: 'if set, just verify the index log without printing its content.' },
    { name: 'index-sanity-check', description: 'if set, just checks the index sanity without printing its content. This is the same check that is executed on broker startup to determine if an index needs rebuilding or not.' },
    { name: 'max-message-size', arg: 'required', argName: 'Integer: size', description: 'Size of largest message.', defaultValue: '5242880' },
    { name: 'max-bytes', arg: 'required', argName: 'Integer: size', description: 'Limit the amount of total batches read in bytes avoiding reading the whole .log file(s).', defaultValue: '2147483647' },
    { name: 'deep-iteration', description: 'if set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled.' },
    { name: 'value-decoder-class', arg: 'optional', argName: 'String', description: 'if set, used to deserialize the messages (kafka.serializer.StringDecoder is the only decoder available).', defaultValue: 'kafka.serializer.StringDecoder' },
    { name: 'key-decoder-class', arg: 'optional', argName: 'String', description: 'if set, used to deserialize the keys (kafka.serializer.StringDecoder is the only decoder available).', defaultValue: 'kafka.serializer.StringDecoder' },
    { name: 'offsets-decoder', description: 'if set, log data will be parsed as offset data from the __consumer_offsets topic.' },
    { name: 'transaction-log-decoder', description: 'if set, log data will be parsed as transaction metadata from the __transaction_state topic.' },
    { name: 'skip-record-metadata', description: 'whether to skip printing metadata for each record.' },
  ],
};

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const TS_NAMES: Record<number, string> = { [TimestampType.CreateTime]: 'CreateTime', [TimestampType.LogAppendTime]: 'LogAppendTime' };

interface Options {
  printData: boolean;
  deep: boolean;
  skipMetadata: boolean;
  offsetsDecoder: boolean;
  maxBytes: number;
  maxMessageSize: number;
  verifyOnly: boolean;
  sanityOnly: boolean;
}

/** Reads the batches of a log file one by one (header first, then the batch), bounded by maxBytes. */
async function* fileBatches(fh: FileHandle, size: number, maxBytes: number, start = 0): AsyncGenerator<{ view: RecordBatchView; position: number }, number> {
  let pos = start;
  const limit = Math.min(size, maxBytes);
  const head = Buffer.alloc(17);
  while (pos + 17 <= limit) {
    await fh.read(head, 0, 17, pos);
    const length = head.readInt32BE(8);
    const total = 12 + length;
    if (length < 14 || pos + total > limit) break;
    const buf = Buffer.alloc(total);
    await fh.read(buf, 0, total, pos);
    yield { view: new RecordBatchView(buf), position: pos };
    pos += total;
  }
  return pos;
}

/** Kafka's Record.sequence: baseSequence + offsetDelta, or -1 for batches without sequence numbers. */
function sequenceOf(baseSequence: number, offsetDelta: number): number {
  if (baseSequence < 0) return -1;
  return (baseSequence + offsetDelta) % 2147483648;
}

/** A magic v0/v1 entry's header fields (legacy.ts decodes the messages; the wrapper header is read here). */
function legacyHeader(v: RecordBatchView): { ts: string; crc: number; codec: string; valid: boolean } {
  const buf = v.buffer;
  const magic = buf.readInt8(16);
  const attributes = buf.readInt8(17);
  const tsType = magic === 0 ? 'NoTimestampType' : attributes & 0x08 ? 'LogAppendTime' : 'CreateTime';
  const ts = magic === 0 ? -1 : Number(buf.readBigInt64BE(18));
  const crc = buf.readUInt32BE(12);
  return { ts: `${tsType}: ${ts}`, crc, codec: CODEC_NAMES[attributes & 0x07] ?? 'unknown', valid: crc32(buf.subarray(16)) === crc };
}

function batchLine(v: RecordBatchView, position: number): string {
  if (v.magic < 2) {
    const h = legacyHeader(v);
    return `offset: ${v.baseOffset} position: ${position} ${h.ts} size: ${v.sizeInBytes} magic: ${v.magic} compresscodec: ${h.codec} crc: ${h.crc} isvalid: ${h.valid}`;
  }
  const ts = TS_NAMES[v.timestampType] ?? 'NoTimestampType';
  const codec = CODEC_NAMES[v.compression] ?? `unknown(${v.compression})`;
  const head =
    `baseOffset: ${v.baseOffset} lastOffset: ${v.lastOffset} count: ${v.recordCount} baseSequence: ${v.baseSequence} ` +
    `lastSequence: ${v.lastSequence} producerId: ${v.producerId} producerEpoch: ${v.producerEpoch} ` +
    `partitionLeaderEpoch: ${v.partitionLeaderEpoch} isTransactional: ${v.isTransactional} isControl: ${v.isControl} ` +
    `deleteHorizonMs: ${v.hasDeleteHorizon ? `OptionalLong[${v.deleteHorizonMs}]` : 'OptionalLong.empty'}`;
  return `${head} position: ${position} ${ts}: ${v.maxTimestamp} size: ${v.sizeInBytes} magic: ${v.magic} compresscodec: ${codec} crc: ${v.crc} isvalid: ${v.isCrcValid()}`;
}

/** The records of one log entry in a common shape (v2 batches and legacy message sets). */
interface DumpRecord {
  offset: number;
  offsetDelta: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string }[];
  legacy?: { valid: boolean; crc: number };
}

function entryRecords(view: RecordBatchView): { tsName: string; baseSequence: number; isControl: boolean; records: DumpRecord[] } {
  if (view.magic < 2) {
    const msgs = decodeLegacyMessageSet(view.buffer, { verifyCrc: false });
    const tsName = msgs[0] ? (msgs[0].magic === 0 ? 'NoTimestampType' : (TS_NAMES[msgs[0].timestampType] ?? 'CreateTime')) : 'NoTimestampType';
    return {
      tsName,
      baseSequence: -1,
      isControl: false,
      records: msgs.map((m) => ({ offset: m.offset, offsetDelta: 0, timestamp: m.timestamp, key: m.key, value: m.value, headers: [], legacy: { valid: true, crc: m.crc } })),
    };
  }
  const batch = decodeRecordBatch(view, { verifyCrc: false });
  return { tsName: TS_NAMES[batch.timestampType] ?? 'NoTimestampType', baseSequence: batch.baseSequence, isControl: batch.isControl, records: batch.records };
}

/** dump-log's --offsets-decoder text for one __consumer_offsets record (GroupMetadataManager.formatRecordKeyAndValue). */
function offsetsRecordText(key: Buffer | null, value: Buffer | null): { key?: string; payload?: string } {
  if (!key) throw new Error('Failed to decode message using offset topic decoder (message had a missing key)');
  const k = decodeClassicKey(key);
  if (!k) throw new Error('Failed to decode message using offset topic decoder (message had an invalid key)');
  if (k.kind === 'offset') {
    const keyText = `offset_commit::group=${k.group},partition=${k.topic}-${k.partition}`;
    if (!value) return { key: keyText, payload: '<DELETE>' };
    const v = decodeOffsetCommitValue(value);
    return { key: keyText, payload: v.metadata === '' ? `offset=${v.offset}` : `offset=${v.offset},metadata=${v.metadata}` };
  }
  const keyText = `group_metadata::group=${k.group}`;
  if (!value) return { key: keyText, payload: '<DELETE>' };
  const g = decodeGroupMetadataValue(value);
  // Kafka's layout: memberId=[topic-partition, ...] (plus :HEXUSERDATA) for consumer groups, raw hex otherwise.
  const hex = (b: Buffer | null): string => (b && b.length ? b.toString('hex').toUpperCase().replace(/^0+(?=.)/, '') : '');
  const assignment = g.members.map((m) => {
    if (g.protocolType !== 'consumer') return `${m.memberId}=${hex(m.assignment)}`;
    const a = decodeAssignment(m.assignment);
    const parts = `[${a.partitions.map((p) => `${p.topic}-${p.partition}`).join(', ')}]`;
    const userData = hex(a.userData);
    return userData ? `${m.memberId}=${parts}:${userData}` : `${m.memberId}=${parts}`;
  });
  return { key: keyText, payload: JSON.stringify({ protocolType: g.protocolType, protocol: g.protocol, generationId: g.generation, assignment: `{${assignment.join(',')}}` }) };
}

async function dumpLog(ctx: Context, file: string, o: Options, nonConsecutive: Map<string, [number, number][]>): Promise<void> {
  const name = basename(file);
  if (name.endsWith('.log')) await ctx.out(`Log starting offset: ${Number(name.split('.')[0])}`);
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    let lastOffset = -1;
    const it = fileBatches(fh, size, o.maxBytes);
    let valid = 0;
    for (;;) {
      const n = await it.next();
      if (n.done) {
        valid = n.value;
        break;
      }
      const { view, position } = n.value;
      await ctx.out(batchLine(view, position));
      if (!o.deep) continue;
      const batch = entryRecords(view);
      const tsName = batch.tsName;
      for (const r of batch.records) {
        if (lastOffset !== -1 && r.offset !== lastOffset + 1) {
          const list = nonConsecutive.get(resolve(file)) ?? [];
          list.push([lastOffset, r.offset]);
          nonConsecutive.set(resolve(file), list);
        }
        lastOffset = r.offset;
        let line = '';
        let prefix = '| ';
        if (!o.skipMetadata) {
          line += `${prefix}offset: ${r.offset} ${tsName}: ${r.timestamp} keySize: ${r.key ? r.key.length : -1} valueSize: ${r.value ? r.value.length : -1}`;
          prefix = ' ';
          if (r.legacy) line += ` isValid: ${r.legacy.valid} crc: ${r.legacy.crc}}`;
          else line += ` sequence: ${sequenceOf(batch.baseSequence, r.offsetDelta)} headerKeys: [${r.headers.map((h) => h.key).join(',')}]`;
          if (batch.isControl && r.key && r.key.length >= 4) {
            const type = r.key.readInt16BE(2);
            if (type === 0 || type === 1) {
              const epoch = r.value && r.value.length >= 6 ? r.value.readInt32BE(2) : -1;
              line += ` endTxnMarker: ${type === 0 ? 'ABORT' : 'COMMIT'} coordinatorEpoch: ${epoch}`;
            } else {
              line += ` controlType: UNKNOWN(${type})`;
            }
          }
        }
        if (o.printData && !batch.isControl) {
          if (o.offsetsDecoder) {
            try {
              const t = offsetsRecordText(r.key, r.value);
              if (t.key !== undefined) {
                line += `${prefix}key: ${t.key}`;
                prefix = ' ';
              }
              if (t.payload !== undefined) line += ` payload: ${t.payload}`;
            } catch (e) {
              line += ` ${(e as Error).message}`;
            }
          } else {
            if (r.key) {
              line += `${prefix}key: ${r.key.toString('utf8')}`;
              prefix = ' ';
            }
            if (r.value) line += ` payload: ${r.value.toString('utf8')}`;
          }
        }
        await ctx.out(line);
      }
    }
    const trailing = size - valid;
    if (trailing > 0 && o.maxBytes >= size) await ctx.out(`Found ${trailing} invalid bytes at the end of ${name}`);
  } finally {
    await fh.close();
  }
}

/** Loads an index file with the storage module's reader, sized to the whole file so every entry is visible. */
async function loadIndex<T extends OffsetIndex | TimeIndex>(make: (bytes: number) => T, file: string, logFile: string): Promise<T | string> {
  const bytes = (await stat(file)).size;
  const logSize = await stat(logFile).then((s) => s.size, () => Number.MAX_SAFE_INTEGER);
  const index = make(Math.max(bytes, 12));
  try {
    await index.load(logSize);
  } catch (e) {
    return (e as Error).message;
  }
  return index;
}

async function lastOffsetAt(logFile: string, position: number): Promise<number | null> {
  const fh = await open(logFile, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const head = Buffer.alloc(61);
    const { bytesRead } = await fh.read(head, 0, 61, position);
    if (bytesRead < 17) return null;
    if (head.readInt8(16) >= 2 && bytesRead >= 27) return Number(head.readBigInt64BE(0)) + head.readInt32BE(23);
    return Number(head.readBigInt64BE(0));
  } finally {
    await fh.close();
  }
}

function segmentBase(file: string): number {
  const b = Number(basename(file).split('.')[0]);
  if (!Number.isSafeInteger(b)) throw new UsageError(`${file}: not a segment file name (expected <20-digit base offset>.<suffix>)`);
  return b;
}

async function dumpIndex(ctx: Context, file: string, o: Options, mismatches: Map<string, [number, number][]>): Promise<void> {
  const base = segmentBase(file);
  const logFile = join(dirname(file), `${basename(file).split('.')[0]}.log`);
  const index = await loadIndex((bytes) => new OffsetIndex(file, base, bytes), file, logFile);
  if (typeof index === 'string') {
    await ctx.err(`${file} failed sanity check: ${index}`);
    return;
  }
  if (index.entries === 0) {
    await ctx.out(`${file} is empty.`);
    return;
  }
  if (o.sanityOnly) {
    await ctx.out(`${file} passed sanity check.`);
    return;
  }
  for (let i = 0; i < index.entries; i++) {
    const offset = index.offsetAt(i);
    const position = index.positionAt(i);
    const last = await lastOffsetAt(logFile, position);
    if (last !== null && last !== offset) {
      const list = mismatches.get(resolve(file)) ?? [];
      list.push([offset, last]);
      mismatches.set(resolve(file), list);
    }
    if (!o.verifyOnly) await ctx.out(`offset: ${offset} position: ${position}`);
  }
}

async function dumpTimeIndex(ctx: Context, file: string, o: Options, errors: string[]): Promise<void> {
  const base = segmentBase(file);
  const stem = basename(file).split('.')[0];
  const logFile = join(dirname(file), `${stem}.log`);
  const timeIndex = await loadIndex((bytes) => new TimeIndex(file, base, bytes), file, logFile);
  if (typeof timeIndex === 'string') {
    await ctx.err(`${file} failed sanity check: ${timeIndex}`);
    return;
  }
  if (o.sanityOnly) {
    await ctx.out(`${file} passed sanity check.`);
    return;
  }
  const offsetIndex = await loadIndex((bytes) => new OffsetIndex(join(dirname(file), `${stem}.index`), base, bytes), join(dirname(file), `${stem}.index`), logFile).catch(() => 'missing');
  let prev = -1;
  for (let i = 0; i < timeIndex.entries; i++) {
    const ts = timeIndex.timestampAt(i);
    const offset = timeIndex.offsetAt(i);
    if (i > 0 && offset === base) break;
    const start = typeof offsetIndex === 'string' ? 0 : offsetIndex.lookup(offset).position;
    const found = await batchMaxTimestampFor(logFile, start, offset);
    if (found === null) errors.push(`The following indexed offsets are not found in the log.\nIndexed offset: ${offset}, found log offset: -1`);
    else if (found.lastOffset !== offset) errors.push(`The following indexed offsets are not found in the log.\nIndexed offset: ${offset}, found log offset: ${found.lastOffset}`);
    else if (found.maxTimestamp !== ts) errors.push(`Found timestamp mismatch in :${resolve(file)}\n  Index timestamp: ${ts}, log timestamp: ${found.maxTimestamp}`);
    if (prev >= ts) errors.push(`Found out of order timestamp in :${resolve(file)}\n  Index timestamp: ${ts}, Previously indexed timestamp: ${prev}`);
    if (!o.verifyOnly) await ctx.out(`timestamp: ${ts} offset: ${offset}`);
    prev = ts;
  }
}

/** The first batch at or after `position` whose last offset is >= offset: its last offset and record max timestamp. */
async function batchMaxTimestampFor(logFile: string, position: number, offset: number): Promise<{ lastOffset: number; maxTimestamp: number } | null> {
  const fh = await open(logFile, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const size = (await fh.stat()).size;
    // Start at the offset index's position for this entry: no scan from the beginning of the segment.
    for await (const { view } of fileBatches(fh, size, Number.MAX_SAFE_INTEGER, position)) {
      if (view.lastOffset >= offset) {
        let max = -1;
        if (view.magic >= 2) for (const r of decodeRecordBatch(view, { verifyCrc: false }).records) max = Math.max(max, r.timestamp);
        return { lastOffset: view.lastOffset, maxTimestamp: max };
      }
    }
    return null;
  } finally {
    await fh.close();
  }
}

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx) => {
    const args = ctx.args;
    if (!args.has('files')) throw new UsageError('Missing required argument "[files]"');
    for (const d of ['value-decoder-class', 'key-decoder-class']) {
      const v = args.value(d);
      if (v && v !== 'kafka.serializer.StringDecoder') throw new UsageError(`Unsupported ${d} ${v}: only kafka.serializer.StringDecoder is available`);
    }
    if (args.has('transaction-log-decoder')) throw new UsageError('--transaction-log-decoder is not supported by Gregor yet');
    const decoders = ['offsets-decoder', 'value-decoder-class', 'key-decoder-class'].some((d) => args.has(d));
    const o: Options = {
      printData: args.has('print-data-log') || decoders,
      deep: args.has('deep-iteration') || args.has('print-data-log') || decoders,
      skipMetadata: args.has('skip-record-metadata'),
      offsetsDecoder: args.has('offsets-decoder'),
      maxBytes: args.has('max-bytes') ? parseInteger('max-bytes', args.value('max-bytes')!) : 2147483647,
      maxMessageSize: args.has('max-message-size') ? parseInteger('max-message-size', args.value('max-message-size')!) : 5242880,
      verifyOnly: args.has('verify-index-only'),
      sanityOnly: args.has('index-sanity-check'),
    };
    const files = args.all('files').flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
    const mismatches = new Map<string, [number, number][]>();
    const nonConsecutive = new Map<string, [number, number][]>();
    const timeErrors: string[] = [];
    let failed = false;
    for (const file of files) {
      await ctx.out(`Dumping ${file}`);
      const suffix = file.slice(file.lastIndexOf('.'));
      try {
        if (suffix === '.log') await dumpLog(ctx, file, o, nonConsecutive);
        else if (suffix === '.index') await dumpIndex(ctx, file, o, mismatches);
        else if (suffix === '.timeindex') await dumpTimeIndex(ctx, file, o, timeErrors);
        else await ctx.err(`Ignoring unknown file ${file}`);
      } catch (e) {
        failed = true;
        const err = e as NodeJS.ErrnoException;
        await ctx.err(err.code === 'ENOENT' ? `${file}: no such file` : `Error while dumping ${file}: ${err.message}`);
      }
    }
    for (const [f, list] of mismatches) {
      await ctx.err(`Mismatches in :${f}`);
      for (const [i, l] of list) await ctx.err(`  Index offset: ${i}, log offset: ${l}`);
    }
    for (const e of timeErrors) await ctx.err(e);
    for (const [f, list] of nonConsecutive) {
      await ctx.err(`Non-consecutive offsets in ${f}`);
      for (const [a, b] of list) await ctx.err(`  ${a} is followed by ${b}`);
    }
    return failed ? 1 : 0;
  });
}
