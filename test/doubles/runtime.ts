/**
 * Shared state of the k6 doubles: one simulated test run (phase, current VU and
 * iteration, recorded samples, registered metrics, the scripted SSE server).
 * The harness re-imports the bundle and the doubles for every VU (vi.resetModules),
 * so this state lives on `globalThis` under a registry symbol: every module instance
 * of every double sees the same run.
 */

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface Sample {
  readonly metric: string;
  readonly type: MetricType;
  readonly value: number;
  /** options.tags + `scenario` (system tag) + the sample's own tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** Date.now() (virtual) when recorded. */
  readonly time: number;
  readonly vu: number;
}

export interface Runtime {
  /** 'init': module top level; 'vu': inside an exported function. */
  phase: 'init' | 'vu';
  vu: number;
  /** Iteration of the current VU in the current scenario (also `__ITER`). */
  iterationInScenario: number;
  /** Iteration number of the current scenario across the whole test. */
  iterationInTest: number;
  scenario: string;
  /** Test-wide tags (`options.tags` of the loaded script). */
  testTags: Readonly<Record<string, string>>;
  /** k6's `throw` option (`--throw`, `K6_THROW=true`): `sse.open` throws on a connection failure. */
  throwErrors: boolean;
  samples: Sample[];
  metricTypes: Map<string, MetricType>;
  /** Every metric object made, with the VU (0: k6's own instances) that made it. */
  metricObjects: { vu: number; name: string; isTime: boolean }[];
  /** SharedArray contents by name (computed once per test, like k6). */
  sharedArrays: Map<string, readonly unknown[]>;
  /** Sets the virtual clock (vi.setSystemTime under the harness). */
  setTime(ms: number): void;
  /**
   * Reads the virtual clock. The doubles read time through this, not through the global
   * `Date.now`, so a test that counts the script's own `Date.now()` calls counts only those.
   */
  now(): number;
}

const KEY = Symbol.for('sse-bench.k6-doubles.runtime');

function fresh(): Runtime {
  const metricTypes = new Map<string, MetricType>();
  metricTypes.set('sse_event', 'counter'); // the extension's own metric
  for (const name of ['http_reqs']) metricTypes.set(name, 'counter');
  for (const name of ['http_req_duration', 'http_req_sending']) metricTypes.set(name, 'trend');
  return {
    phase: 'init',
    vu: 0,
    iterationInScenario: 0,
    iterationInTest: 0,
    scenario: 'default',
    testTags: {},
    throwErrors: false,
    samples: [],
    metricTypes,
    metricObjects: [],
    sharedArrays: new Map(),
    setTime: () => {
      throw new Error('k6 doubles: no virtual clock installed (use test/k6-harness.ts)');
    },
    now: Date.now.bind(Date),
  };
}

type Holder = { [KEY]?: Runtime };

/** The current run (created on first use). */
export function runtime(): Runtime {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= fresh());
}

/** Starts a new simulated test run: forgets samples, metrics, shared arrays. */
export function resetRuntime(): Runtime {
  const holder = globalThis as Holder;
  holder[KEY] = fresh();
  return holder[KEY];
}

/** Records a sample with k6's tag merge: test-wide tags, then `scenario`, then the sample's. */
export function recordSample(metric: string, type: MetricType, value: number, tags?: Readonly<Record<string, string>>): void {
  const rt = runtime();
  rt.samples.push({
    metric,
    type,
    value,
    tags: { ...rt.testTags, scenario: rt.scenario, ...(tags ?? {}) },
    time: rt.now(),
    vu: rt.vu,
  });
}
