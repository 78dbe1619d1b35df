// DescribeLogDirs: each log dir with the partitions it holds and their sizes (v4: total/usable bytes).
import { statfs } from 'node:fs/promises';
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import type { DescribeLogDirsResponseDescribeLogDirsResult } from '../../protocol/generated/messages/describe-log-dirs-response.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.DescribeLogDirs,
  minVersion: 1,
  maxVersion: 4,
  async handle(req, ctx) {
    const b = ctx.broker;
    const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
    const results: DescribeLogDirsResponseDescribeLogDirsResult[] = [];
    for (const dir of b.config.logDirs()) {
      const byTopic = new Map<string, { partitionIndex: number; partitionSize: bigint; offsetLag: bigint; isFutureKey: boolean }[]>();
      for (const st of b.topics.all()) {
        for (const p of st.partitions) {
          if (!p.log.dir.startsWith(dir.replace(/\/+$/, '') + '/') && !p.log.dir.startsWith(dir)) continue;
          if (wanted && !wanted.get(st.record.name)?.has(p.index)) continue;
          let l = byTopic.get(st.record.name);
          if (!l) byTopic.set(st.record.name, (l = []));
          l.push({ partitionIndex: p.index, partitionSize: BigInt(p.log.size), offsetLag: 0n, isFutureKey: false });
        }
      }
      let totalBytes = -1n;
      let usableBytes = -1n;
      try {
        const s = await statfs(dir);
        totalBytes = BigInt(s.blocks) * BigInt(s.bsize);
        usableBytes = BigInt(s.bavail) * BigInt(s.bsize);
      } catch {}
      results.push({ errorCode: 0, logDir: dir, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })), totalBytes, usableBytes });
    }
    return { throttleTimeMs: 0, errorCode: 0, results };
  },
});
