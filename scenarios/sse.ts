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
import { createConversations, type Conversations } from '../lib/vu/conversation.ts';
import { createMetrics } from '../lib/vu/metric-create.ts';
import { K6_METRIC_FACTORY, metricsSink } from '../lib/vu/metrics.ts';
import { REQUESTS_PER_ITERATION } from '../lib/requests-per-iteration.ts';
import { pickQuestion, userId } from '../lib/vu/question-pick.ts';
import { createBreakdownRecorder } from '../lib/vu/breakdown.ts';
import { createCanceller, type StopPoster } from '../lib/vu/cancel.ts';
import { createSession, type StreamRunner } from '../lib/vu/sse-session.ts';
import { INTERPRETERS, createTargetWith } from '../lib/vu/targets.ts';
import { PlanArray, type VuPlan } from '../lib/vu-plan.ts';
import loadReports from '../lib/report/handle-summary.ts?lazy';
import loadInit from '../lib/init/suite-init.ts?lazy';
import type { SummaryData } from '../lib/report/summary-data.ts';

type InitModule = typeof import('../lib/init/suite-init.ts');

// Once per test: only the instance k6 reads options from (and handleSummary's) evaluates the init module.
const once = __VU === 0 ? (loadInit as Lazy<InitModule>)().initSuite(__ENV, (path) => open(path)) : null;
export const options = once === null ? {} : once.options;
// k6 runs a SharedArray's function once per test, in the first instance it evaluates — the one it
// reads options from (`__VU === 0`, where `once` is); VUs read the plan (element 0) and the questions
// (the elements after it) from the one shared copy. Functions here name no loader: a loader a function
// refers to stays alive in every VU (Sobek keeps what closures refer to), one named only by top-level code does not.
const shared = new SharedArray(PlanArray.Name, () => {
  if (once === null) throw new Error('sse-bench: the VU plan is made in k6\'s first instance (__VU 0); this k6 evaluated a VU first');
  return once.shared;
}) as ArrayLike<string>;
// One JSON.parse per VU: an object element would be decoded and deep-frozen by k6 on every access.
const plan = JSON.parse(shared[0] as string) as VuPlan;
const config = plan.config;
const metrics = createMetrics(once === null ? plan.metrics : once.allMetrics, K6_METRIC_FACTORY);
// TURNS > 1: what a turn's stream tells the next turn (Dify's conversation_id, OpenAI's answer text), read by the target's interpreter.
const answer = (config.workload?.turns ?? 1) > 1 ? { conversationId: '', text: '', collectText: config.target === 'openai-chat' } : undefined;
// Top-level code picks the interpreter factory: only the chosen target's stays alive in the VU (lib/vu/targets.ts).
const target = createTargetWith(config, INTERPRETERS[config.target], answer);
const sink = metricsSink(metrics);
const settings = {
  gapSamples: config.interEventSamples === true,
  // k6/encoding only when DATA_BYTES=true: k6's require (init context only), read off globalThis so the bundler leaves it alone.
  dataBytes: config.dataBytes === true ? utf8ByteCounter((globalThis as unknown as { require: (id: string) => Base64Encoder }).require('k6/encoding')) : null,
  slo: config.slo ?? { ttfeMs: null, ttftMs: null, tpotMs: null },
  // CANCEL_RATE (lib/vu/cancel.ts): k6/http only for Dify's stop request, required here (init context) and only then.
  cancel:
    config.cancel == null
      ? null
      : {
          plan: config.cancel,
          deps: { http: config.cancel.stopPrefix === '' ? null : (globalThis as unknown as { require: (id: string) => StopPoster }).require('k6/http'), streamKey: () => exec.scenario.iterationInTest },
          make: createCanceller,
        },
  // BREAKDOWN=true (lib/vu/breakdown.ts): each stream's times, logged for the bench CLI.
  breakdown: config.breakdown === true ? { streamKey: () => exec.scenario.iterationInTest, log: console.log, make: createBreakdownRecorder } : null,
};
// The first failure of each error type in this VU is logged with its reason (k6 warning).
const onFailure = failureLogger(config.apiKey, console.warn); // k6's console methods work detached (k6 v1.3, v2.2)
// Each scenario's session (tracker and interpreter) is made on its first iteration: a VU of one scenario never makes the other's.
let runStream: StreamRunner | null = null;
let runBurst: StreamRunner | null = null;
// DATASET or TURNS > 1 (lib/vu/conversation.ts): made only then; otherwise null, and nothing of it lives in the VU.
const conversations: Conversations | null =
  config.workload !== undefined && (config.workload.dataset !== '' || answer !== undefined)
    ? createConversations({
        target,
        targetName: config.target,
        workload: config.workload,
        shared,
        first: PlanArray.FirstQuestion as number,
        answer: answer ?? { conversationId: '', text: '', collectText: false },
        sink,
        session: (s) => createSession(target.mode('stream', s), settings, s, onFailure),
        // k6's sleep only with THINK_TIME: k6's require (init context only), read off globalThis so the bundler leaves it alone.
        sleep: config.workload.thinkTimeMs === null ? null : (globalThis as unknown as { require: (id: string) => { sleep: (seconds: number) => void } }).require('k6').sleep,
        random: Math.random,
        warn: console.warn,
      })
    : null;

// This VU's number in the whole test (`exec.vu.idInTest`: unique across instances run with
// --execution-segment), read on its first iteration and kept: k6 builds `exec.vu` on every read, and
// reading it (with `exec.scenario`) on every iteration costs each VU ~6 kB (k6 v2.2.0 heap profile).
let vuInTest = 0;

/** The seed's "Workflow SSE Stream": one question, every event processed (DATASET / TURNS: one conversation). */
export const stream = (): void => {
  if (vuInTest === 0) vuInTest = exec.vu.idInTest;
  const user = userId(config.userPrefix, vuInTest, __ITER);
  if (conversations !== null) return conversations.run(exec.scenario.iterationInTest, user);
  const n = exec.scenario.iterationInTest;
  const question = pickQuestion(shared, n, PlanArray.FirstQuestion);
  // BREAKDOWN: the marker of lib/breakdown-marker.ts, written inline (no binding per VU).
  (runStream ??= createSession(target.mode('stream', sink), settings, sink, onFailure))(target.request(settings.breakdown === null ? question : `${question} [sb-${n}]`, user));
};

/** The seed's "Workflow SSE Burst": requests back to back, events counted, terminal detected. */
export const burst = (): void => {
  if (vuInTest === 0) vuInTest = exec.vu.idInTest;
  const requests = REQUESTS_PER_ITERATION.burst;
  const first = exec.scenario.iterationInTest * requests;
  const user = userId(config.userPrefix, vuInTest, __ITER);
  const run = (runBurst ??= createSession(target.mode('burst', sink), settings, sink, onFailure));
  for (let k = 0; k < requests; k++) run(conversations !== null ? conversations.single(first + k, user) : target.request(pickQuestion(shared, first + k, PlanArray.FirstQuestion), user));
};

export default stream;

/** The report code's loader, for handleSummary's instance only (`__VU === 0`): VUs do not keep it. */
const reports = once === null ? null : (loadReports as Lazy<typeof import('../lib/report/handle-summary.ts')>);

/** k6 calls it once, at the end, in an instance of its own (`__VU === 0`): only then is the report code evaluated. */
export const handleSummary = (data: SummaryData): Record<string, string> => {
  if (once === null || reports === null) throw new Error('sse-bench: handleSummary runs in k6\'s own instance (__VU 0), which has the whole configuration');
  return reports().createHandleSummary(once.config, () => new Date())(data);
};
