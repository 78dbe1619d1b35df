// Message formatters of kafka-console-consumer.sh, chosen by --formatter with Kafka's class names:
//   - DefaultMessageFormatter: print.key/print.timestamp/print.offset/print.partition/print.headers/... properties;
//   - GroupMetadataManager$OffsetsMessageFormatter: decodes __consumer_offsets offset-commit records into
//     "[group,topic-partition]::OffsetAndMetadata(offset=.., leaderEpoch=.., metadata=.., commitTimestamp=..,
//     expireTimestamp=..)" exactly as Kafka 2.x/3.x prints them;
//   - GroupMetadataManager$GroupMetadataMessageFormatter: the group-metadata records of the same topic;
//   - NoOpMessageFormatter.
import { resolveDeserializer } from '../../client/serdes.js';
import { UsageError } from './args.js';
import { decodeClassicKey, decodeOffsetCommitValue, decodeGroupMetadataValue } from '../../coordinator/records.js';

/** The parts of a consumed record a formatter looks at (raw bytes, as Kafka's console consumer receives them). */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
  leaderEpoch?: number;
}

export interface MessageFormatter {
  /** Bytes to print for the record (may be empty: the record is skipped). */
  format(record: RawRecord): Buffer;
}

const DEFAULT_NAMES = ['kafka.tools.DefaultMessageFormatter', 'org.apache.kafka.tools.consumer.DefaultMessageFormatter', 'DefaultMessageFormatter'];
const OFFSETS_NAMES = [
  'kafka.coordinator.group.GroupMetadataManager$OffsetsMessageFormatter',
  'kafka.coordinator.GroupMetadataManager$OffsetsMessageFormatter', // its name before Kafka 0.11 (seed 000)
  'org.apache.kafka.tools.consumer.OffsetsMessageFormatter',
  'OffsetsMessageFormatter',
];
const GROUP_NAMES = [
  'kafka.coordinator.group.GroupMetadataManager$GroupMetadataMessageFormatter',
  'org.apache.kafka.tools.consumer.GroupMetadataMessageFormatter',
  'GroupMetadataMessageFormatter',
];
const NOOP_NAMES = ['kafka.tools.NoOpMessageFormatter', 'org.apache.kafka.tools.consumer.NoOpMessageFormatter', 'NoOpMessageFormatter'];

export function createFormatter(className: string, props: Map<string, string>): MessageFormatter {
  const name = className.trim();
  if (DEFAULT_NAMES.includes(name)) return new DefaultMessageFormatter(props);
  if (OFFSETS_NAMES.includes(name)) return new OffsetsMessageFormatter();
  if (GROUP_NAMES.includes(name)) return new GroupMetadataMessageFormatter();
  if (NOOP_NAMES.includes(name)) return { format: () => Buffer.alloc(0) };
  throw new UsageError(
    `Unknown formatter class ${name}: available are kafka.tools.DefaultMessageFormatter, kafka.coordinator.group.GroupMetadataManager$OffsetsMessageFormatter, kafka.coordinator.group.GroupMetadataManager$GroupMetadataMessageFormatter, kafka.tools.NoOpMessageFormatter`,
  );
}

/** Java properties values given on the command line may spell control characters as escapes (\t, \n). */
function unescapeJava(s: string): string {
  return s.replace(/\\([tnrf\\])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'f' ? '\f' : '\\'));
}

type Decode = ((topic: string, data: Buffer) => Buffer) | null;

function deserializerFor(spec: string | undefined, prop: string): Decode {
  if (spec === undefined || spec === '') return null;
  const d = resolveDeserializer<unknown>(spec, prop);
  return (topic, data) => {
    const v = d.deserialize(topic, data);
    if (Buffer.isBuffer(v)) return v;
    return Buffer.from(String(v), 'utf8');
  };
}

export class DefaultMessageFormatter implements MessageFormatter {
  private readonly printTimestamp: boolean;
  private readonly printKey: boolean;
  private readonly printValue: boolean;
  private readonly printPartition: boolean;
  private readonly printOffset: boolean;
  private readonly printHeaders: boolean;
  private readonly printEpoch: boolean;
  private readonly keySeparator: Buffer;
  private readonly lineSeparator: Buffer;
  private readonly headersSeparator: Buffer;
  private readonly nullLiteral: Buffer;
  private readonly keyDeserializer: Decode;
  private readonly valueDeserializer: Decode;
  private readonly headersDeserializer: Decode;

  constructor(props: Map<string, string>) {
    const bool = (k: string, d: boolean): boolean => (props.has(k) ? props.get(k)!.trim().toLowerCase() === 'true' : d);
    const bytes = (k: string, d: string): Buffer => Buffer.from(props.has(k) ? unescapeJava(props.get(k)!) : d, 'utf8');
    this.printTimestamp = bool('print.timestamp', false);
    this.printKey = bool('print.key', false);
    this.printValue = bool('print.value', true);
    this.printPartition = bool('print.partition', false);
    this.printOffset = bool('print.offset', false);
    this.printHeaders = bool('print.headers', false);
    this.printEpoch = bool('print.epoch', false);
    this.keySeparator = bytes('key.separator', '\t');
    this.lineSeparator = bytes('line.separator', '\n');
    this.headersSeparator = bytes('headers.separator', ',');
    this.nullLiteral = bytes('null.literal', 'null');
    this.keyDeserializer = deserializerFor(props.get('key.deserializer'), 'key.deserializer');
    this.valueDeserializer = deserializerFor(props.get('value.deserializer'), 'value.deserializer');
    this.headersDeserializer = deserializerFor(props.get('headers.deserializer'), 'headers.deserializer');
  }

  private data(r: RawRecord, d: Decode, src: Buffer | null): Buffer {
    const b = src ?? this.nullLiteral;
    return d ? d(r.topic, b) : b;
  }

  format(r: RawRecord): Buffer {
    const out: Buffer[] = [];
    const text = (s: string): void => void out.push(Buffer.from(s, 'utf8'));
    // After each column: the key separator if another column follows, else the line separator.
    const sep = (more: boolean): void => void out.push(more ? this.keySeparator : this.lineSeparator);
    if (this.printTimestamp) {
      text(r.timestampType === 'NoTimestampType' ? 'NO_TIMESTAMP' : `${r.timestampType}:${r.timestamp}`);
      sep(this.printPartition || this.printOffset || this.printEpoch || this.printHeaders || this.printKey || this.printValue);
    }
    if (this.printPartition) {
      text(`Partition:${r.partition}`);
      sep(this.printOffset || this.printEpoch || this.printHeaders || this.printKey || this.printValue);
    }
    if (this.printOffset) {
      text(`Offset:${r.offset}`);
      sep(this.printEpoch || this.printHeaders || this.printKey || this.printValue);
    }
    if (this.printEpoch) {
      text(`Epoch:${r.leaderEpoch === undefined || r.leaderEpoch < 0 ? 'NOT_PRESENT' : r.leaderEpoch}`);
      sep(this.printHeaders || this.printKey || this.printValue);
    }
    if (this.printHeaders) {
      if (r.headers.length === 0) text('NO_HEADERS');
      r.headers.forEach((h, i) => {
        text(`${h.key}:`);
        out.push(this.data(r, this.headersDeserializer, h.value));
        if (i < r.headers.length - 1) out.push(this.headersSeparator);
      });
      sep(this.printKey || this.printValue);
    }
    if (this.printKey) {
      out.push(this.data(r, this.keyDeserializer, r.key));
      sep(this.printValue);
    }
    if (this.printValue) {
      out.push(this.data(r, this.valueDeserializer, r.value));
      out.push(this.lineSeparator);
    }
    return Buffer.concat(out);
  }
}

/** Scala's Option / Java's Optional as Kafka's toString prints them. */
function javaOptional(v: number | null): string {
  return v === null ? 'Optional.empty' : `Optional[${v}]`;
}

export class OffsetsMessageFormatter implements MessageFormatter {
  format(r: RawRecord): Buffer {
    if (r.key === null) return Buffer.alloc(0);
    const key = decodeClassicKey(r.key);
    if (key === null || key.kind !== 'offset') return Buffer.alloc(0);
    let value = 'NULL';
    if (r.value !== null) {
      const v = decodeOffsetCommitValue(r.value);
      // Kafka shows Some(expireTimestamp) for every v1 value (the only version storing one, -1 included), else None.
      const expire = r.value.readInt16BE(0) === 1 ? `Some(${v.expireTimestamp ?? -1})` : 'None';
      value =
        `OffsetAndMetadata(offset=${v.offset}, leaderEpoch=${javaOptional(v.leaderEpoch < 0 ? null : v.leaderEpoch)}, ` +
        `metadata=${v.metadata}, commitTimestamp=${v.commitTimestamp}, expireTimestamp=${expire})`;
    }
    return Buffer.from(`[${key.group},${key.topic}-${key.partition}]::${value}\n`, 'utf8');
  }
}

export class GroupMetadataMessageFormatter implements MessageFormatter {
  format(r: RawRecord): Buffer {
    if (r.key === null) return Buffer.alloc(0);
    const key = decodeClassicKey(r.key);
    if (key === null || key.kind !== 'group') return Buffer.alloc(0);
    if (r.value === null) return Buffer.from(`${key.group}::NULL\n`, 'utf8');
    const g = decodeGroupMetadataValue(r.value);
    // Scala's toString of GroupMetadata/MemberMetadata (Option -> Some(x)/None, HashMap(k -> v), List(x)).
    const opt = (v: string | null): string => (v === null ? 'None' : `Some(${v})`);
    const members = g.members
      .map(
        (m) =>
          `${m.memberId} -> MemberMetadata(memberId=${m.memberId}, groupInstanceId=${opt(m.groupInstanceId)}, ` +
          `clientId=${m.clientId}, clientHost=${m.clientHost}, sessionTimeoutMs=${m.sessionTimeout}, rebalanceTimeoutMs=${m.rebalanceTimeout}, ` +
          `supportedProtocols=List(${g.protocol ?? ''}))`,
      )
      .join(', ');
    const state = g.members.length === 0 ? 'Empty' : 'Stable';
    const text =
      `GroupMetadata(groupId=${key.group}, generation=${g.generation}, protocolType=${opt(g.protocolType)}, ` +
      `currentState=${state}, members=HashMap(${members}))`;
    return Buffer.from(`${key.group}::${text}\n`, 'utf8');
  }
}
