/**
 * CPU use of the load generator (the k6 process and its descendants: stock k6 with
 * automatic extension resolution runs a provisioned k6 as a child) from /proc, and the
 * cores available to it (CPU affinity, cgroup quota). A generator that runs out of CPU
 * inflates TTFE by itself; the bench CLI shows CPU live and marks saturated runs.
 * Linux only: elsewhere the watch reports nothing (`null`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Share of the available cores above which a sample counts as saturated. */
const SATURATION_LEVEL = 0.9;
/** Share of samples that must be saturated for the run to be marked. */
const SATURATION_SHARE = 0.5;

export interface ProcStat {
  readonly ppid: number;
  /** utime + stime, clock ticks. */
  readonly ticks: number;
}

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses: split after the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] = state (field 3), f[1] = ppid (4), f[11] = utime (14), f[12] = stime (15)
  const ppid = Number(f[1]);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (!Number.isFinite(ppid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { ppid, ticks: utime + stime };
}

/** cgroup v2 `cpu.max` ("max 100000" | "200000 100000") → cores, or null for no limit. */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max' || period === undefined) return null;
  const q = Number(quota);
  const p = Number(period);
  return q > 0 && p > 0 ? q / p : null;
}

export interface ProcFs {
  readFile(path: string): string;
  readDir(path: string): string[];
}

const realProcFs: ProcFs = {
  readFile: (p) => readFileSync(p, 'utf8'),
  readDir: (p) => readdirSync(p),
};

/** Cores this process may use: CPU affinity, capped by a cgroup v2 or v1 quota. */
export function availableCores(fs: ProcFs = realProcFs, parallelism: number = availableParallelism()): number {
  const tryRead = (p: string): string | null => {
    try {
      return fs.readFile(p);
    } catch {
      return null;
    }
  };
  let quota: number | null = null;
  const v2 = tryRead('/sys/fs/cgroup/cpu.max');
  if (v2 !== null) quota = parseCpuMax(v2);
  else {
    const q = Number(tryRead('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') ?? -1);
    const p = Number(tryRead('/sys/fs/cgroup/cpu/cpu.cfs_period_us') ?? 0);
    if (q > 0 && p > 0) quota = q / p;
  }
  return quota === null ? parallelism : Math.min(parallelism, quota);
}

/** A share of the available cores as the live block and final block show it: `97% of 2 cores`. */
export function cpuShareText(share: number, cores: number): string {
  return `${Math.round(share * 100)}% of ${cores} core${cores === 1 ? '' : 's'}`;
}

/** CPU ticks of `root` and all its descendants (one pass over /proc). */
export function processTreeTicks(root: number, fs: ProcFs): number | null {
  const stats = new Map<number, ProcStat>();
  let names: string[];
  try {
    names = fs.readDir('/proc');
  } catch {
    return null;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const st = parseProcStat(fs.readFile(`/proc/${name}/stat`));
      if (st) stats.set(Number(name), st);
    } catch {
      // the process ended between readdir and read
    }
  }
  if (!stats.has(root)) return null;
  const children = new Map<number, number[]>();
  for (const [pid, st] of stats) children.set(st.ppid, [...(children.get(st.ppid) ?? []), pid]);
  let total = 0;
  const queue = [root];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    total += stats.get(pid)?.ticks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

export interface CpuSample {
  /** Cores' worth of CPU used since the previous sample (1.5 = one and a half cores). */
  readonly coresUsed: number;
  /** coresUsed / available cores, 0..1 (may slightly exceed 1 through tick rounding). */
  readonly share: number;
}

/** Samples a process tree's CPU; the first call sets the baseline and returns null. */
export class CpuWatch {
  private last: { ticks: number; atMs: number } | null = null;

  constructor(
    private readonly pid: number,
    readonly cores: number,
    private readonly fs: ProcFs = realProcFs,
    private readonly clockTicksPerSec = 100,
  ) {}

  sample(nowMs: number): CpuSample | null {
    const ticks = processTreeTicks(this.pid, this.fs);
    if (ticks === null) return null;
    const prev = this.last;
    this.last = { ticks, atMs: nowMs };
    if (!prev || nowMs <= prev.atMs) return null;
    const coresUsed = (ticks - prev.ticks) / this.clockTicksPerSec / ((nowMs - prev.atMs) / 1000);
    return { coresUsed, share: coresUsed / this.cores };
  }
}

/** "Saturated" = more than half of the samples at or above 90% of the available cores. */
export class SaturationTracker {
  private total = 0;
  private saturated = 0;
  private peak = 0;

  record(share: number): void {
    this.total++;
    if (share >= SATURATION_LEVEL) this.saturated++;
    this.peak = Math.max(this.peak, share);
  }

  get samples(): number {
    return this.total;
  }

  get peakShare(): number {
    return this.peak;
  }

  isSaturated(): boolean {
    return this.total > 0 && this.saturated / this.total > SATURATION_SHARE;
  }
}
