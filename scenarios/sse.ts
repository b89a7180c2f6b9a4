/**
 * `build/sse.js`: the suite's k6 entry. `k6 run build/sse.js` (options from PROFILE),
 * or `k6 run --vus N --duration D build/sse.js` (the `default` export = `stream`).
 *
 * Init context (per VU): config → options/thresholds → questions (SharedArray, read once)
 * → target → metrics → failure log → one stream session per scenario. A bad setting throws here,
 * before any load is sent.
 */
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { loadConfig, NO_SLO } from '../lib/config.ts';
import { readOrNull, withDifyState } from '../lib/dify-state.ts';
import { utf8ByteLength } from '../lib/data-bytes.ts';
import { failureLogger } from '../lib/failure-log.ts';
import { createHandleSummary } from '../lib/handle-summary.ts';
import { createMetrics, metricsSink } from '../lib/metrics.ts';
import { buildOptions, REQUESTS_PER_ITERATION } from '../lib/profiles.ts';
import { pickQuestion, userId } from '../lib/question-pick.ts';
import { loadQuestions } from '../lib/questions.ts';
import { createSession } from '../lib/sse-session.ts';
import { createTarget } from '../lib/targets.ts';
import { loadThresholds } from '../lib/thresholds.ts';

const readFile = (path: string): string => open(path);

// API_KEY / BASE_URL from `npm run setup:dify`'s state file when unset (lib/dify-state.ts).
const config = loadConfig(withDifyState(__ENV, readOrNull(readFile)));
export const options = buildOptions(config, loadThresholds(config, readFile));
const questions = new SharedArray('questions', () => loadQuestions(config, readFile));
const target = createTarget(config);
const sink = metricsSink(createMetrics());
const settings = {
  gapSamples: config.interEventSamples === true,
  dataBytes: config.dataBytes === true ? utf8ByteLength : null,
  slo: config.slo ?? NO_SLO,
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

export const handleSummary = createHandleSummary(config, () => new Date());
