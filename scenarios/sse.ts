/**
 * `build/sse.js`: the suite's k6 entry. `k6 run build/sse.js` (options from PROFILE),
 * or `k6 run --vus N --duration D build/sse.js` (the `default` export = `stream`).
 *
 * When each part runs (k6 evaluates this file once per VU, plus in a few instances of its own
 * with `__VU === 0`: the one it reads `options` from, and the one that runs handleSummary):
 * - once per test (`__VU === 0`): lib/init/suite-init.ts, behind `?lazy` — configuration, validation
 *   (a bad setting throws there, before any VU starts), options, thresholds, questions, and the
 *   VU plan (lib/vu-plan.ts), which k6 shares with every VU through a SharedArray;
 * - per VU (init): the plan's JSON copy, the metric objects, the target; on a scenario's first
 *   iteration, its stream session — nothing that is the same for every VU is worked out again;
 * - per event: the stream tracker (lib/vu/stream-tracker.ts) and the target's interpreter;
 * - end of test: the report code (lib/report/handle-summary.ts, `?lazy`), only in handleSummary.
 */
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { utf8ByteCounter, type Base64Encoder } from '../lib/vu/data-bytes.ts';
import { failureLogger } from '../lib/vu/failure-log.ts';
import type { Lazy } from '../lib/lazy.ts';
import { createMetrics } from '../lib/vu/metric-create.ts';
import { K6_METRIC_FACTORY, metricsSink } from '../lib/vu/metrics.ts';
import { REQUESTS_PER_ITERATION } from '../lib/requests-per-iteration.ts';
import { pickQuestion, userId } from '../lib/vu/question-pick.ts';
import { createSession, type StreamRunner } from '../lib/vu/sse-session.ts';
import type { StopPoster } from '../lib/vu/cancel.ts';
import { NO_SETTINGS } from '../lib/vu/stream-tracker.ts';
import { createTarget } from '../lib/vu/targets.ts';
import { FIRST_QUESTION, VU_PLAN_ARRAY, type VuPlan } from '../lib/vu-plan.ts';
import loadReports from '../lib/report/handle-summary.ts?lazy';
import loadInit from '../lib/init/suite-init.ts?lazy';
import type { SummaryData } from '../lib/report/summary-data.ts';

type Init = ReturnType<typeof import('../lib/init/suite-init.ts').initSuite>;
const initSuite = (): Init => (loadInit as Lazy<typeof import('../lib/init/suite-init.ts')>)().initSuite(__ENV, (path) => open(path));

// Once per test: only the instance k6 reads options from (and handleSummary's) evaluates the init module.
const once = __VU === 0 ? initSuite() : null;
export const options = once === null ? {} : once.options;
// k6 runs a SharedArray's function once per test (in the first instance: `once` is there); VUs read
// the plan (element 0) and the questions (the elements after it) from the one shared copy.
const shared = new SharedArray(VU_PLAN_ARRAY, () => (once ?? initSuite()).shared);
// One JSON.parse per VU: an object element would be decoded and deep-frozen by k6 on every access.
const plan = JSON.parse(shared[0] as string) as VuPlan;
const config = plan.config;
const k6Require = (globalThis as unknown as { require: (id: string) => unknown }).require;
const metrics = createMetrics(once === null ? plan.metrics : once.allMetrics, K6_METRIC_FACTORY);
const target = createTarget(config);
const sink = metricsSink(metrics);
const settings = {
  gapSamples: config.interEventSamples === true,
  // k6/encoding only when DATA_BYTES=true: k6's require (init context only), read off globalThis so the bundler leaves it alone.
  dataBytes: config.dataBytes === true ? utf8ByteCounter(k6Require('k6/encoding') as Base64Encoder) : null,
  slo: config.slo ?? NO_SETTINGS.slo,
  // CANCEL_RATE (lib/vu/cancel.ts): k6/http only for Dify's stop request, required here (init context) and only then.
  cancel:
    config.cancel == null
      ? null
      : { plan: config.cancel, deps: { http: config.cancel.stopPrefix === '' ? null : (k6Require('k6/http') as StopPoster), streamKey: () => exec.scenario.iterationInTest } },
  // BREAKDOWN=true (lib/vu/breakdown.ts): each stream's times, logged for the bench CLI.
  breakdown: config.breakdown === true ? { streamKey: () => exec.scenario.iterationInTest, log: (line: string) => console.log(line) } : null,
};
// The first failure of each error type in this VU is logged with its reason (k6 warning).
const onFailure = failureLogger(config.apiKey, (message) => console.warn(message));
// Each scenario's session is made on its first iteration: a VU of one scenario never makes the other's.
let runStream: StreamRunner | null = null;
let runBurst: StreamRunner | null = null;
const burstRequests = REQUESTS_PER_ITERATION.burst;

const currentUser = (): string => {
  const vu = exec.vu; // k6 builds this object on each read
  return userId(config.userPrefix, vu.idInTest, vu.iterationInScenario);
};

/** The seed's "Workflow SSE Stream": one question, every event processed. */
export const stream = (): void => {
  const n = exec.scenario.iterationInTest;
  const question = pickQuestion(shared as ArrayLike<string>, n, FIRST_QUESTION);
  // BREAKDOWN: the marker of lib/breakdown-marker.ts, written inline (no binding per VU).
  (runStream ??= createSession(target.stream, settings, sink, onFailure))(target.request(settings.breakdown === null ? question : `${question} [sb-${n}]`, currentUser()));
};

/** The seed's "Workflow SSE Burst": requests back to back, events counted, terminal detected. */
export const burst = (): void => {
  const first = exec.scenario.iterationInTest * burstRequests;
  const user = currentUser();
  const run = (runBurst ??= createSession(target.burst, settings, sink, onFailure));
  for (let k = 0; k < burstRequests; k++) run(target.request(pickQuestion(shared as ArrayLike<string>, first + k, FIRST_QUESTION), user));
};

export default stream;

/** k6 calls it once, at the end, in an instance of its own (`__VU === 0`): only then is the report code evaluated. */
export const handleSummary = (data: SummaryData): Record<string, string> => {
  if (once === null) throw new Error('sse-bench: handleSummary runs in k6\'s own instance (__VU 0), which has the whole configuration');
  return (loadReports as Lazy<typeof import('../lib/report/handle-summary.ts')>)().createHandleSummary(once.config, () => new Date())(data);
};
