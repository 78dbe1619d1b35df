import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerfStats, expandMultiValued } from '../../src/cli/commands/producer-perf-test.js';
import { simpleDateFormat } from '../../src/cli/commands/consumer-perf-test.js';

test('PerfStats prints Kafka\'s window line when the reporting interval passes, and percentiles from samples', () => {
  const lines: string[] = [];
  const stats = new PerfStats(1000, 0, (l) => lines.push(l));
  for (let i = 0; i < 1000; i++) stats.record(i, i % 100, 100, Date.now());
  assert.ok(lines.length > 0);
  assert.match(lines[0]!, /^1 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), 0\.0 ms avg latency, 0\.0 ms max latency\.$/);
  assert.deepEqual(stats.percentiles(0.5, 0.95, 0.99, 0.999), [50, 95, 99, 99]);
  assert.match(stats.totalLine(), /^1000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), 49\.50 ms avg latency, 99\.00 ms max latency, 50 ms 50th, 95 ms 95th, 99 ms 99th, 99 ms 99\.9th\.$/);
});

test('--producer-props takes several values after one flag (argparse4j nargs)', () => {
  assert.deepEqual(expandMultiValued(['--producer-props', 'a=1', 'b=2', '--topic', 't'], 'producer-props'), ['--producer-props', 'a=1', '--producer-props', 'b=2', '--topic', 't']);
});

test('consumer-perf-test dates use the SimpleDateFormat pattern', () => {
  const ms = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
  assert.equal(simpleDateFormat('yyyy-MM-dd HH:mm:ss:SSS', ms), '2024-01-02 03:04:05:006');
});
