// Compression codec ids as they appear in the low 3 bits of a record batch's attributes (and of legacy messages).
// Kept in its own module so record code can name codecs without loading any compression library.

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

/** Kafka's config names for the codecs (`compression.type`), indexed by id. */
export const COMPRESSION_NAMES: Readonly<Record<CompressionType, string>> = {
  [CompressionType.None]: 'none',
  [CompressionType.Gzip]: 'gzip',
  [CompressionType.Snappy]: 'snappy',
  [CompressionType.Lz4]: 'lz4',
  [CompressionType.Zstd]: 'zstd',
};

export function isCompressionType(n: number): n is CompressionType {
  return Number.isInteger(n) && n >= 0 && n <= 4;
}

/** Parses a `compression.type` name ('gzip', 'snappy', ...); undefined if unknown. */
export function compressionTypeFromName(name: string): CompressionType | undefined {
  const lower = name.trim().toLowerCase();
  for (const [id, n] of Object.entries(COMPRESSION_NAMES)) if (n === lower) return Number(id) as CompressionType;
  return undefined;
}
