// Small formatting helpers reproducing the Java printf layouts Kafka's tools use, so their output lines up
// character for character (scripts parse these columns).

/** Java's `%-Ns`: left-justified, padded to at least n characters (never truncated). */
export function padRight(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Java's `%Ns`: right-justified. */
export function padLeft(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/** Lays out one row: each value padded to its width (null width = no padding, used for the last column). */
export function row(values: readonly string[], widths: readonly (number | null)[]): string {
  return values.map((v, i) => (widths[i] === null || widths[i] === undefined ? v : padRight(v, widths[i]!))).join(' ');
}

/** Java's `String.format("%.2f")` (half-up rounding as Java does for doubles in practice). */
export function fixed(n: number, digits: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
  return n.toFixed(digits);
}

/** Java's `%.4f` etc. with a thousands-free output; also used for MB/sec figures. */
export function decimal(n: number, digits: number): string {
  return fixed(n, digits);
}

/** Formats a timestamp as Kafka's tools print dates: yyyy-MM-dd HH:mm:ss:SSS in local time. */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  const p = (v: number, w = 2): string => String(v).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}:${p(d.getMilliseconds(), 3)}`;
}

/** Escapes a string the way Java's `String.valueOf` would print it: unchanged (helper kept for symmetry). */
export function str(v: unknown): string {
  return v === null || v === undefined ? 'null' : String(v);
}
