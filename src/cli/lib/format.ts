// Small formatting helpers reproducing the Java printf layouts Kafka's tools use, so their output lines up
// character for character (scripts parse these columns).

/** Java's `%-Ns`: left-justified, padded to at least n characters (never truncated). */
export function padRight(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Java's `String.format("%.Nf")` for the perf tools' figures. */
export function fixed(n: number, digits: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
  return n.toFixed(digits);
}

