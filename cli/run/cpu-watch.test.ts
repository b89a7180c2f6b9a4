import { describe, expect, it } from 'vitest';
import { availableCores, CpuWatch, parseCpuMax, parseProcStat, type ProcFs, processTreeTicks, SaturationTracker } from './cpu-watch.ts';

/** A /proc line: utime and stime are fields 14 and 15. */
const statLine = (pid: number, comm: string, ppid: number, utime: number, stime: number): string =>
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 12 0 1000 100000 200`;

function fakeProc(procs: Record<number, string>, files: Record<string, string> = {}): ProcFs {
  return {
    readDir: (p) => {
      if (p !== '/proc') throw new Error('ENOENT');
      return [...Object.keys(procs), 'self', 'cpuinfo'];
    },
    readFile: (p) => {
      const m = /^\/proc\/(\d+)\/stat$/.exec(p);
      const text = m ? procs[Number(m[1])] : files[p];
      if (text === undefined) throw new Error(`ENOENT ${p}`);
      return text;
    },
  };
}

describe('parseProcStat', () => {
  it('reads ppid and utime+stime, even with ") " inside the command name', () => {
    expect(parseProcStat(statLine(10, 'k6 (worker) x', 1, 250, 50))).toEqual({ ppid: 1, ticks: 300 });
    expect(parseProcStat('garbage')).toBeNull();
  });
});

describe('cores', () => {
  it('parses cgroup v2 cpu.max', () => {
    expect(parseCpuMax('max 100000\n')).toBeNull();
    expect(parseCpuMax('150000 100000\n')).toBe(1.5);
  });
  it('caps CPU affinity by the cgroup quota', () => {
    expect(availableCores(fakeProc({}, { '/sys/fs/cgroup/cpu.max': '200000 100000' }), 8)).toBe(2);
    expect(availableCores(fakeProc({}, { '/sys/fs/cgroup/cpu.max': 'max 100000' }), 8)).toBe(8);
    expect(
      availableCores(fakeProc({}, { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '300000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }), 8),
    ).toBe(3);
    expect(availableCores(fakeProc({}), 4)).toBe(4);
  });
});

describe('process tree CPU', () => {
  it('sums the root and its descendants only', () => {
    const fs = fakeProc({
      1: statLine(1, 'init', 0, 9999, 9999),
      100: statLine(100, 'k6', 1, 100, 20),
      101: statLine(101, 'k6-provisioned', 100, 300, 80),
      102: statLine(102, 'grandchild', 101, 5, 5),
      200: statLine(200, 'other', 1, 777, 0),
    });
    expect(processTreeTicks(100, fs)).toBe(120 + 380 + 10);
    expect(processTreeTicks(999, fs)).toBeNull();
  });

  it('CpuWatch turns tick differences into cores used and share of the available cores', () => {
    const procs: Record<number, string> = { 100: statLine(100, 'k6', 1, 100, 0) };
    const watch = new CpuWatch(100, 2, fakeProc(procs), 100);
    expect(watch.sample(0)).toBeNull(); // baseline
    procs[100] = statLine(100, 'k6', 1, 700, 200); // +800 ticks = 8 CPU-seconds in 5 s
    const s = watch.sample(5_000);
    expect(s?.coresUsed).toBeCloseTo(1.6, 10);
    expect(s?.share).toBeCloseTo(0.8, 10);
    delete procs[100];
    expect(watch.sample(10_000)).toBeNull(); // process gone
  });
});

describe('SaturationTracker', () => {
  it('marks a run when more than half of the samples are at >= 90% of the cores', () => {
    const t = new SaturationTracker();
    expect(t.isSaturated()).toBe(false);
    [0.95, 0.91, 0.5].forEach((s) => t.record(s));
    expect(t.isSaturated()).toBe(true);
    expect(t.peakShare).toBe(0.95);
    t.record(0.2);
    expect(t.isSaturated()).toBe(false); // 2 of 4 is not "most"
  });
});
