/**
 * `npm run bench -- --dashboard`: k6's built-in web dashboard with sse-bench's view
 * (grafana/k6-web-dashboard.json: an SSE tab, then k6's stock tabs), its HTML export into the
 * reports directory, and the note that k6 waits at the end while a browser keeps the page open.
 *
 * k6 keeps running after the test while any browser tab holds the dashboard's `/events`
 * stream (so the report can still be downloaded); the CLI tells the user so when k6's REST API
 * says the test has ended, instead of seeming to hang.
 */
import { webDashboardPath, WEB_DASHBOARD_TAGS } from '../../grafana/web-dashboard.ts';
import { isRecord } from '../../lib/report/summary-data.ts';

export interface WebDashboardRun {
  /** Variables added to k6's environment. */
  readonly env: Record<string, string>;
  /** Where k6 writes the dashboard's HTML export. */
  readonly exportPath: string;
  /** Where the dashboard is served. */
  readonly url: string;
}

/**
 * The environment that turns the dashboard on: sse-bench's view (unless the user named their
 * own XK6_DASHBOARD_CONFIG), sub-metrics by `error_type` (unless K6_WEB_DASHBOARD_TAGS is set),
 * and the export `<reportsDir>/k6-dashboard_<stamp>.html`.
 */
export function webDashboardRun(reportsDir: string, stamp: string, userEnv: NodeJS.ProcessEnv = {}): WebDashboardRun {
  const exportPath = `${reportsDir === '' ? '' : `${reportsDir}/`}k6-dashboard_${stamp}.html`;
  const env = {
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_EXPORT: exportPath,
    XK6_DASHBOARD_CONFIG: userEnv['XK6_DASHBOARD_CONFIG'] || webDashboardPath(),
    K6_WEB_DASHBOARD_TAGS: userEnv['K6_WEB_DASHBOARD_TAGS'] || WEB_DASHBOARD_TAGS,
  };
  const host = userEnv['K6_WEB_DASHBOARD_HOST'] || '127.0.0.1';
  const port = userEnv['K6_WEB_DASHBOARD_PORT'] || '5665';
  return { env, exportPath, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** Printed when the dashboard starts. */
export function dashboardStartNote(run: WebDashboardRun): string {
  return `bench: k6 web dashboard at ${run.url} (SSE tab first; K6_WEB_DASHBOARD_PORT to change); at the end, close the dashboard tab to let k6 exit`;
}

/** Printed once k6's REST API says the test has ended while k6 is still running. */
export const END_OF_TEST_NOTE =
  'bench: the test has ended; k6 keeps the web dashboard up while a browser has it open: close the dashboard tab to let k6 exit (the final results follow)';

/** k6's execution status from `Ended` on (`Ended`, `Interrupted`, later ones), numeric or by name. */
const ENDED_STATUS_NUMBER = 9;
const ENDED_STATUS_NAMES = new Set(['ended', 'interrupted', 'markedasfailed']);

export interface RunStatus {
  readonly running: boolean | null;
  /** True once the status itself says the run ended. */
  readonly ended: boolean;
}

/** Reads k6's `GET /v1/status` answer: `{ data: { attributes: { status, running, … } } }`; null if it is not one. */
export function parseRunStatus(body: unknown): RunStatus | null {
  const attrs = isRecord(body) && isRecord(body['data']) ? body['data']['attributes'] : undefined;
  if (!isRecord(attrs)) return null;
  const status = attrs['status'];
  const running = typeof attrs['running'] === 'boolean' ? attrs['running'] : null;
  const ended =
    (typeof status === 'number' && status >= ENDED_STATUS_NUMBER) || (typeof status === 'string' && ENDED_STATUS_NAMES.has(status.toLowerCase()));
  return { running, ended };
}

export interface RunEndWatchOptions {
  readonly intervalMs: number;
  /** One `GET /v1/status`; rejects when k6 does not answer. */
  readonly fetchStatus: () => Promise<unknown>;
  readonly onEnded: () => void;
}

export interface RunEndWatch {
  stop(): void;
}

/**
 * Polls k6's status until the test has ended (status Ended/Interrupted, or `running` false
 * after it was true), then calls onEnded once and stops. Unanswered polls are ignored.
 */
export function watchRunEnd(o: RunEndWatchOptions): RunEndWatch {
  let stopped = false;
  let seenRunning = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    let status: RunStatus | null = null;
    try {
      status = parseRunStatus(await o.fetchStatus());
    } catch {
      // k6's API not up yet, or already gone
    }
    if (stopped) return;
    if (status?.running === true) seenRunning = true;
    if (status && (status.ended || (seenRunning && status.running === false))) {
      stopped = true;
      o.onEnded();
      return;
    }
    schedule();
  };
  const schedule = (): void => {
    timer = setTimeout(() => void tick(), o.intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** GET http://<address>/v1/status with a deadline. */
export async function fetchRunStatus(address: string, timeoutMs = 2_000): Promise<unknown> {
  const res = await fetch(`http://${address}/v1/status`, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`k6 REST /v1/status answered HTTP ${res.status}`);
  }
  return res.json();
}
