// The records every client produces in the golden capture; the golden test checks decoded batches against them.
import type { TestMessage } from '../../test/helpers/real-clients.js';

/** Keys, a null key, all 256 byte values, an empty value, headers (unless disabled: magic 0/1 have none), and a compressible 1 KiB value. */
export function goldenMessages(client: string, opts: { headers?: boolean } = {}): TestMessage[] {
  const withHeaders = [
    { key: 'trace-id', value: Buffer.from('0af7651916cd43dd8448eb211c80319c') },
    { key: 'client', value: Buffer.from(client) },
  ];
  const headers = opts.headers === false ? undefined : withHeaders;
  const binary = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) binary[i] = i;
  return [
    { key: Buffer.from('key-0'), value: Buffer.from(`hello from ${client}`), headers, partition: 0 },
    { key: null, value: binary, headers, partition: 0 },
    { key: Buffer.from('key-2'), value: Buffer.alloc(0), headers, partition: 0 },
    { key: Buffer.from('key-3'), value: Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(24)), headers, partition: 0 },
  ];
}
