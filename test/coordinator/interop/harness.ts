// Group members as separate processes (test/coordinator/clients/*), followed through their JSON-lines output:
// current assignment, consumed records, commits, errors. Plus checks over a whole run: assignments disjoint and
// complete, and no record processed by two members while both held its partition.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/build-cache.js';
import { spawnTracked, stopProcess } from '../../helpers/process.js';
import { kafkajsProduce, SYSTEM_PYTHON } from '../../helpers/real-clients.js';

export type MemberClient = 'confluent' | 'kafka-python' | 'kafkajs' | 'platformatic' | 'platformatic-consumer';

export interface MemberEvent {
  ev: string;
  t: number;
  tps?: number[] | 'all';
  incremental?: boolean;
  p?: number;
  o?: number;
  v?: string;
  msg?: string;
}

export interface MemberOptions {
  client: MemberClient;
  bootstrap: string;
  topic: string;
  group: string;
  name: string;
  assignor?: string;
  sessionMs?: number;
  reset?: 'earliest' | 'latest' | 'none';
  /** group.instance.id (confluent only): static membership. */
  instanceId?: string;
}

const CLIENTS_DIR = join(REPO_ROOT, 'test', 'coordinator', 'clients');

export class Member {
  readonly events: MemberEvent[] = [];
  readonly assigned = new Set<number>();
  private readonly child: ChildProcess;
  private stderr = '';
  private waiters: (() => void)[] = [];
  exited = false;
  /** When the process exited (ms), for ownership checks. */
  exitedAt: number | null = null;

  constructor(readonly opts: MemberOptions) {
    const session = String(opts.sessionMs ?? 6000);
    if (opts.client === 'confluent' || opts.client === 'kafka-python') {
      const args = [join(CLIENTS_DIR, 'group_consumer.py'), '--client', opts.client, '--bootstrap', opts.bootstrap, '--topic', opts.topic, '--group', opts.group];
      args.push('--assignor', opts.assignor ?? 'roundrobin', '--session-ms', session, '--reset', opts.reset ?? 'earliest', '--client-id', opts.name);
      if (opts.instanceId) args.push('--instance-id', opts.instanceId);
      this.child = spawnTracked(SYSTEM_PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } else {
      const args = ['--import', 'tsx', join(CLIENTS_DIR, 'group-consumer.ts'), opts.client, opts.bootstrap, opts.topic, opts.group, session];
      this.child = spawnTracked(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    let buf = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        try {
          this.onEvent(JSON.parse(line) as MemberEvent);
        } catch {
          /* not ours */
        }
      }
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    this.child.once('exit', () => {
      this.exited = true;
      this.exitedAt = Date.now();
      this.wake();
    });
  }

  private onEvent(e: MemberEvent): void {
    this.events.push(e);
    if (e.ev === 'assigned' && Array.isArray(e.tps)) {
      if (!e.incremental) this.assigned.clear();
      for (const p of e.tps) this.assigned.add(p);
    } else if (e.ev === 'revoked') {
      if (e.tps === 'all' || !e.incremental) this.assigned.clear();
      else for (const p of e.tps ?? []) this.assigned.delete(p);
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when cond() holds (checked after every event), rejects after timeoutMs. */
  async waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (this.exited && !cond()) throw new Error(`${this.opts.name} exited while waiting for ${what}\n${this.diagnostics()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.opts.name}: timed out waiting for ${what}\n${this.diagnostics()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  records(): MemberEvent[] {
    return this.events.filter((e) => e.ev === 'rec');
  }

  errors(): MemberEvent[] {
    return this.events.filter((e) => e.ev === 'error');
  }

  diagnostics(): string {
    const tail = this.events.slice(-15).map((e) => JSON.stringify(e)).join('\n');
    return `--- ${this.opts.name} (${this.opts.client}) last events:\n${tail}\n--- stderr:\n${this.stderr.slice(-3000)}`;
  }

  async kill9(): Promise<void> {
    await stopProcess(this.child, 'SIGKILL', 1000);
  }

  async close(): Promise<void> {
    await stopProcess(this.child, 'SIGTERM', 10_000);
  }
}

/** Waits until the members' assignments cover 0..n-1 exactly once, every member holding at least one. */
export async function waitForPartition(members: Member[], n: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = members.flatMap((m) => [...m.assigned]);
    const ok = all.length === n && new Set(all).size === n && all.every((p) => p >= 0 && p < n) && members.every((m) => m.assigned.size > 0);
    if (ok) return;
    if (Date.now() > deadline) {
      throw new Error(`${what}: assignments never became disjoint and complete: ${members.map((m) => `${m.opts.name}=[${[...m.assigned].sort((a, b) => a - b)}]`).join(' ')}\n${members.map((m) => m.diagnostics()).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Produces `perPartition` records to each partition: values "p<partition>-<seq>". */
export async function produce(bootstrap: string, topic: string, partitions: number, perPartition: number, start = 0): Promise<void> {
  const messages = [];
  for (let p = 0; p < partitions; p++) {
    for (let i = start; i < start + perPartition; i++) messages.push({ key: null, value: Buffer.from(`p${p}-${i}`), partition: p });
  }
  await kafkajsProduce({ bootstrap, topic, messages, timeoutMs: 30_000 });
}

/**
 * Ownership check over a run: a record processed by a member must fall inside one of that member's ownership
 * intervals of the partition (between an assignment of it and the next revocation), and two members' intervals of
 * one partition may overlap only by the time it takes a revocation to be reported. Returns offending records.
 */
export function doubleOwnership(members: Member[]): string[] {
  const problems: string[] = [];
  const all = members.flatMap((m) => m.records().map((r) => ({ m, r }))).sort((a, b) => a.r.t - b.r.t);
  const seen = new Map<string, { m: Member; t: number }>();
  for (const { m, r } of all) {
    const key = `${r.p}/${r.o}`;
    const prev = seen.get(key);
    if (prev && prev.m !== m) {
      // Re-delivery to another member is legitimate only after the first one lost the partition: it reported a
      // revocation (or a new assignment without it), or it died (its partitions moved after its session timed out).
      const revoked = prev.m.events.some(
        (e) => e.t >= prev.t && e.t <= r.t && ((e.ev === 'revoked' && (e.tps === 'all' || !Array.isArray(e.tps) || e.tps.includes(r.p ?? -1))) || (e.ev === 'assigned' && !e.incremental && Array.isArray(e.tps) && !e.tps.includes(r.p ?? -1))),
      );
      if (!revoked && !prev.m.exited) problems.push(`record ${key} processed by ${prev.m.opts.name} at ${prev.t} and by ${m.opts.name} at ${r.t}`);
    }
    seen.set(key, { m, t: r.t });
  }
  return problems;
}

/** Offsets of each partition processed by anyone: what is missing from 0..count-1. */
/**
 * The coordinator's guarantee as the members saw it: replaying every member's assignment changes in time order, no
 * partition is held by two live members at once for longer than `toleranceMs` (two processes report a hand-over
 * with independent delays). A killed member holds nothing from the moment it exited.
 */
export function assignmentOverlaps(members: Member[], toleranceMs = 250): string[] {
  const events = members
    .flatMap((m) => [
      ...m.events.filter((e) => e.ev === 'assigned' || e.ev === 'revoked').map((e) => ({ m, e })),
      ...(m.exitedAt === null ? [] : [{ m, e: { ev: 'revoked', t: m.exitedAt, tps: 'all' as const } }]),
    ])
    .sort((a, b) => a.e.t - b.e.t);
  const held = new Map<Member, Set<number>>(members.map((m) => [m, new Set<number>()]));
  const start = new Map<string, number>();
  const out: string[] = [];
  const check = (t: number): void => {
    for (const [a, sa] of held) {
      for (const [b, sb] of held) {
        if (a.opts.name >= b.opts.name) continue;
        for (let p = 0; p < 64; p++) {
          const key = `${p}|${a.opts.name}|${b.opts.name}`;
          const both = sa.has(p) && sb.has(p);
          if (both && !start.has(key)) start.set(key, t);
          if (!both && start.has(key)) {
            const d = t - (start.get(key) as number);
            if (d > toleranceMs) out.push(`partition ${p} held by ${a.opts.name} and ${b.opts.name} for ${d} ms`);
            start.delete(key);
          }
        }
      }
    }
  };
  for (const { m, e } of events) {
    const set = held.get(m) as Set<number>;
    if (e.ev === 'assigned') {
      if (!e.incremental) set.clear();
      for (const p of Array.isArray(e.tps) ? e.tps : []) set.add(p);
    } else if (e.tps === 'all' || !e.incremental) set.clear();
    else for (const p of Array.isArray(e.tps) ? e.tps : []) set.delete(p);
    check(e.t);
  }
  check(Date.now());
  for (const [key, t] of start) out.push(`partition ${key} still held by two members since ${t}`);
  return out;
}

/** Assignment changes of all members in time order (for failure messages). */
export function assignmentTimeline(members: Member[]): string {
  return members
    .flatMap((m) => m.events.filter((e) => e.ev === 'assigned' || e.ev === 'revoked').map((e) => ({ t: e.t, line: `${e.t} ${m.opts.name} ${e.ev} ${JSON.stringify(e.tps)}` })))
    .sort((a, b) => a.t - b.t)
    .map((x) => x.line)
    .join('\n');
}

export function missingRecords(members: Member[], partitions: number, count: number): string[] {
  const got = new Set(members.flatMap((m) => m.records().map((r) => `${r.p}/${r.o}`)));
  const missing: string[] = [];
  for (let p = 0; p < partitions; p++) for (let o = 0; o < count; o++) if (!got.has(`${p}/${o}`)) missing.push(`${p}/${o}`);
  return missing;
}

/** The API keys a broker advertises in ApiVersions (v0, over a raw socket with the generated codecs). */
export async function advertisedApis(bootstrap: string): Promise<Set<number>> {
  const { connect } = await import('node:net');
  const { encodeRequest, decodeResponse, FrameDecoder } = await import('../../../src/protocol/messages.js');
  const { ApiKeys } = await import('../../../src/protocol/generated/api-keys.js');
  const [host, port] = bootstrap.split(':');
  return new Promise((resolve, reject) => {
    const s = connect({ host, port: Number(port) });
    const decoder = new FrameDecoder();
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error('ApiVersions timed out'));
    });
    s.once('error', reject);
    s.once('connect', () => s.write(encodeRequest(ApiKeys.ApiVersions, 0, 1, 'probe', {})));
    s.on('data', (d: Buffer) => {
      const [frame] = decoder.push(d);
      if (!frame) return;
      s.destroy();
      const { body } = decodeResponse(ApiKeys.ApiVersions, 0, frame);
      resolve(new Set(body.apiKeys.map((k) => k.apiKey)));
    });
  });
}
