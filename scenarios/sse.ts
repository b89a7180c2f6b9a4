/**
 * `build/sse.js`: the suite's k6 entry. `k6 run build/sse.js` (options from PROFILE),
 * or `k6 run --vus N --duration D build/sse.js` (the `default` export = `stream`).
 *
 * Init context (per VU): configuration, options, thresholds and metrics from the init-only
 * module (lib/suite-init.ts, loaded with `?lazy`: its code is garbage after init) → questions
 * (SharedArray, read once) → target → failure log → one stream session per scenario. A bad
 * setting throws there, before any load is sent. The report code (lib/handle-summary.ts) is
 * loaded only by handleSummary, which k6 runs once, in a VU of its own.
 */
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { utf8ByteLength } from '../lib/data-bytes.ts';
import { failureLogger } from '../lib/failure-log.ts';
import type { Lazy } from '../lib/lazy.ts';
import { K6_METRIC_FACTORY, metricsSink } from '../lib/metrics.ts';
import { REQUESTS_PER_ITERATION } from '../lib/requests-per-iteration.ts';
import { pickQuestion, userId } from '../lib/question-pick.ts';
import { createSession } from '../lib/sse-session.ts';
import { NO_SETTINGS } from '../lib/stream-tracker.ts';
import { createTarget } from '../lib/targets.ts';
import loadReports from '../lib/handle-summary.ts?lazy';
import loadInit from '../lib/suite-init.ts?lazy';
import type { SummaryData } from '../lib/summary-data.ts';

type Init = typeof import('../lib/suite-init.ts');
const readFile = (path: string): string => open(path);

const { config, options: builtOptions, metrics } = (loadInit as Lazy<Init>)().initSuite(__ENV, readFile, K6_METRIC_FACTORY);
export const options = builtOptions;
const questions = new SharedArray('questions', () => (loadInit as Lazy<Init>)().loadQuestions(config, readFile));
const target = createTarget(config);
const sink = metricsSink(metrics);
const settings = {
  gapSamples: config.interEventSamples === true,
  dataBytes: config.dataBytes === true ? utf8ByteLength : null,
  slo: config.slo ?? NO_SETTINGS.slo,
};
// The first failure of each error type in this VU is logged with its reason (k6 warning).
const onFailure = failureLogger(config.apiKey, (message) => console.warn(message));
const runStream = createSession(target.stream, settings, sink, onFailure);
const runBurst = createSession(target.burst, settings, sink, onFailure);
const burstRequests = REQUESTS_PER_ITERATION.burst;

function currentUser(): string {
  return userId(config.userPrefix, exec.vu.idInTest, exec.vu.iterationInScenario);
}

/** The seed's "Workflow SSE Stream": one question, every event processed. */
export function stream(): void {
  runStream(target.request(pickQuestion(questions, exec.scenario.iterationInTest), currentUser()));
}

/** The seed's "Workflow SSE Burst": requests back to back, events counted, terminal detected. */
export function burst(): void {
  const first = exec.scenario.iterationInTest * burstRequests;
  const user = currentUser();
  for (let k = 0; k < burstRequests; k++) runBurst(target.request(pickQuestion(questions, first + k), user));
}

export default stream;

/** k6 calls it once, at the end, in a VU of its own: only then is the report code evaluated. */
export function handleSummary(data: SummaryData): Record<string, string> {
  return (loadReports as Lazy<typeof import('../lib/handle-summary.ts')>)().createHandleSummary(config, () => new Date())(data);
}
