// Serializers and deserializers with the Java client's byte formats (StringSerializer = UTF-8, IntegerSerializer =
// 4 bytes big-endian, LongSerializer = 8 bytes big-endian, ...), so a value written by one client reads the same in
// any other. Configurable by object, by short name ('string', 'json', ...) or by the Java class name.
import { ConfigError } from './errors.js';

export interface Header {
  key: string;
  value: Buffer | null;
}

export interface Serializer<T> {
  serialize(topic: string, data: T | null | undefined, headers?: Header[]): Buffer | null;
}
export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer | null, headers?: Header[]): T | null;
}

export const StringSerializer: Serializer<string> = {
  serialize: (_t, d) => (d === null || d === undefined ? null : Buffer.from(String(d), 'utf8')),
};
export const StringDeserializer: Deserializer<string> = {
  deserialize: (_t, d) => (d === null ? null : d.toString('utf8')),
};
export const JsonSerializer: Serializer<unknown> = {
  serialize: (_t, d) => (d === null || d === undefined ? null : Buffer.from(JSON.stringify(d), 'utf8')),
};
export const JsonDeserializer: Deserializer<unknown> = {
  deserialize: (_t, d) => (d === null ? null : (JSON.parse(d.toString('utf8')) as unknown)),
};
export const BytesSerializer: Serializer<Buffer | Uint8Array | string> = {
  serialize: (_t, d) => {
    if (d === null || d === undefined) return null;
    if (Buffer.isBuffer(d)) return d;
    if (typeof d === 'string') return Buffer.from(d, 'utf8');
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  },
};
export const BytesDeserializer: Deserializer<Buffer> = { deserialize: (_t, d) => d };

function fixed<T>(size: number, write: (b: Buffer, v: T) => void, read: (b: Buffer) => T, name: string): [Serializer<T>, Deserializer<T>] {
  return [
    {
      serialize: (_t, d) => {
        if (d === null || d === undefined) return null;
        const b = Buffer.allocUnsafe(size);
        write(b, d);
        return b;
      },
    },
    {
      deserialize: (_t, d) => {
        if (d === null) return null;
        if (d.length !== size) throw new ConfigError(`${name}Deserializer: expected ${size} bytes, got ${d.length}`);
        return read(d);
      },
    },
  ];
}

export const [IntegerSerializer, IntegerDeserializer] = fixed<number>(4, (b, v) => b.writeInt32BE(v), (b) => b.readInt32BE(0), 'Integer');
export const [ShortSerializer, ShortDeserializer] = fixed<number>(2, (b, v) => b.writeInt16BE(v), (b) => b.readInt16BE(0), 'Short');
export const [LongSerializer, LongDeserializer] = fixed<bigint | number>(8, (b, v) => b.writeBigInt64BE(BigInt(v)), (b) => b.readBigInt64BE(0), 'Long');
export const [DoubleSerializer, DoubleDeserializer] = fixed<number>(8, (b, v) => b.writeDoubleBE(v), (b) => b.readDoubleBE(0), 'Double');
export const [FloatSerializer, FloatDeserializer] = fixed<number>(4, (b, v) => b.writeFloatBE(v), (b) => b.readFloatBE(0), 'Float');

const SERIALIZERS: Record<string, Serializer<never>> = {
  string: StringSerializer,
  json: JsonSerializer,
  bytes: BytesSerializer,
  bytearray: BytesSerializer,
  bytebuffer: BytesSerializer,
  integer: IntegerSerializer,
  int: IntegerSerializer,
  short: ShortSerializer,
  long: LongSerializer,
  double: DoubleSerializer,
  float: FloatSerializer,
};
const DESERIALIZERS: Record<string, Deserializer<unknown>> = {
  string: StringDeserializer,
  json: JsonDeserializer,
  bytes: BytesDeserializer,
  bytearray: BytesDeserializer,
  bytebuffer: BytesDeserializer,
  integer: IntegerDeserializer,
  int: IntegerDeserializer,
  short: ShortDeserializer,
  long: LongDeserializer,
  double: DoubleDeserializer,
  float: FloatDeserializer,
};

/** 'org.apache.kafka.common.serialization.StringSerializer' -> 'string'; 'IntegerDeserializer' -> 'integer'. */
function shortName(spec: string): string {
  const simple = spec.trim().slice(spec.trim().lastIndexOf('.') + 1);
  return simple.replace(/(Serializer|Deserializer)$/, '').toLowerCase();
}

/** Resolves key.serializer/value.serializer. Default: bytes (Buffer or string passed through as UTF-8). */
export function resolveSerializer<T>(spec: unknown, prop: string): Serializer<T> {
  if (spec === null || spec === undefined) return BytesSerializer as unknown as Serializer<T>;
  if (typeof spec === 'function') return { serialize: spec as Serializer<T>['serialize'] };
  if (typeof spec === 'object' && typeof (spec as Serializer<T>).serialize === 'function') return spec as Serializer<T>;
  if (typeof spec === 'string') {
    const s = SERIALIZERS[shortName(spec)];
    if (s) return s as unknown as Serializer<T>;
  }
  throw new ConfigError(`${prop}: unknown serializer ${String(spec)}`);
}

/** Resolves key.deserializer/value.deserializer. Default: bytes (Buffer). */
export function resolveDeserializer<T>(spec: unknown, prop: string): Deserializer<T> {
  if (spec === null || spec === undefined) return BytesDeserializer as unknown as Deserializer<T>;
  if (typeof spec === 'function') return { deserialize: spec as Deserializer<T>['deserialize'] };
  if (typeof spec === 'object' && typeof (spec as Deserializer<T>).deserialize === 'function') return spec as Deserializer<T>;
  if (typeof spec === 'string') {
    const s = DESERIALIZERS[shortName(spec)];
    if (s) return s as Deserializer<T>;
  }
  throw new ConfigError(`${prop}: unknown deserializer ${String(spec)}`);
}
