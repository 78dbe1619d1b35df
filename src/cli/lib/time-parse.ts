// Date and duration syntaxes accepted by kafka-consumer-groups.sh --to-datetime / --by-duration.

/**
 * Kafka's Utils.getDateTime: 'YYYY-MM-DDTHH:mm:SS.sss' with an optional zone ('Z', '+hh:mm', '-hhmm');
 * without a zone the local time zone applies. Seconds and milliseconds may be omitted, as Kafka pads them.
 */
export function parseDateTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) throw new Error(`Error parsing timestamp '${s}': expected the format yyyy-MM-ddTHH:mm:ss.SSS, optionally followed by a time zone such as Z or +01:00`);
  const [, y, mo, d, h, mi, sec = '0', ms = '0', zone] = m;
  const msPadded = Number(ms.padEnd(3, '0'));
  if (zone === undefined) {
    return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), msPadded).getTime();
  }
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), msPadded);
  if (zone === 'Z') return utc;
  const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offsetMin = (Number(zm[2]) * 60 + Number(zm[3])) * (zm[1] === '+' ? 1 : -1);
  return utc - offsetMin * 60_000;
}

/** java.time.Duration.parse: 'PnDTnHnMn.nS' (e.g. PT0.5S, P1DT2H, PT10M), optionally negative. Returns milliseconds. */
export function parseIsoDuration(s: string): number {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+(?:[.,]\d{0,9})?)S)?)?$/i.exec(s.trim());
  if (!m || s.trim().toUpperCase().endsWith('T') || (!m[2] && !m[3] && !m[4] && !m[5])) {
    throw new Error(`Text cannot be parsed to a Duration: ${s}`);
  }
  const [, sign, d, h, mi, sec] = m;
  const total = Number(d ?? 0) * 86_400_000 + Number(h ?? 0) * 3_600_000 + Number(mi ?? 0) * 60_000 + Math.round(Number((sec ?? '0').replace(',', '.')) * 1000);
  return sign === '-' ? -total : total;
}
