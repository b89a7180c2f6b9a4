import { afterEach, describe, expect, it, vi } from 'vitest';
import { webDashboardPath } from '../../grafana/web-dashboard.ts';
import { dashboardStartNote, END_OF_TEST_NOTE, parseRunStatus, watchRunEnd, webDashboardRun } from './web-dashboard-run.ts';

describe('webDashboardRun', () => {
  it("turns the dashboard on with sse-bench's view, error_type sub-metrics and the export in the reports directory", () => {
    expect(webDashboardRun('reports', '20261127_110000')).toEqual({
      env: {
        K6_WEB_DASHBOARD: 'true',
        K6_WEB_DASHBOARD_EXPORT: 'reports/k6-dashboard_20261127_110000.html',
        XK6_DASHBOARD_CONFIG: webDashboardPath(),
        K6_WEB_DASHBOARD_TAGS: 'group,error_type',
      },
      exportPath: 'reports/k6-dashboard_20261127_110000.html',
      url: 'http://127.0.0.1:5665',
    });
    expect(webDashboardRun('', 'x').exportPath).toBe('k6-dashboard_x.html');
  });

  it("keeps the user's own view, tags, host and port", () => {
    const run = webDashboardRun('r', 's', { XK6_DASHBOARD_CONFIG: 'mine.json', K6_WEB_DASHBOARD_TAGS: 'group', K6_WEB_DASHBOARD_HOST: '::1', K6_WEB_DASHBOARD_PORT: '7000' });
    expect(run.env['XK6_DASHBOARD_CONFIG']).toBe('mine.json');
    expect(run.env['K6_WEB_DASHBOARD_TAGS']).toBe('group');
    expect(run.url).toBe('http://[::1]:7000');
    expect(dashboardStartNote(run)).toBe(
      'bench: k6 web dashboard at http://[::1]:7000 (SSE tab first; K6_WEB_DASHBOARD_PORT to change); at the end, close the dashboard tab to let k6 exit',
    );
  });
});

const status = (attributes: Record<string, unknown>): unknown => ({ data: { type: 'status', id: 'default', attributes } });

describe('parseRunStatus (k6 GET /v1/status)', () => {
  it('reads running and whether the execution status is Ended or later', () => {
    expect(parseRunStatus(status({ status: 7, running: true }))).toEqual({ running: true, ended: false });
    expect(parseRunStatus(status({ status: 9, running: false }))).toEqual({ running: false, ended: true });
    expect(parseRunStatus(status({ status: 10, running: false }))).toEqual({ running: false, ended: true });
    expect(parseRunStatus(status({ status: 'Ended' }))).toEqual({ running: null, ended: true });
    expect(parseRunStatus(status({ status: 'Running', running: true }))).toEqual({ running: true, ended: false });
    expect(parseRunStatus(status({ status: 3, running: false }))).toEqual({ running: false, ended: false }); // init done, not started
  });

  it('returns null for anything else', () => {
    for (const body of [null, {}, { data: [] }, { data: { attributes: 'x' } }, 'ok']) expect(parseRunStatus(body)).toBeNull();
  });
});

describe('watchRunEnd', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Answers the polls with `answers` in turn (an Error rejects), then keeps repeating the last one. */
  function watch(answers: unknown[]): { ended: number[]; polls: () => number; stop: () => void } {
    const ended: number[] = [];
    let i = 0;
    const w = watchRunEnd({
      intervalMs: 1000,
      fetchStatus: () => {
        const answer = answers[Math.min(i++, answers.length - 1)];
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
      onEnded: () => ended.push(Date.now()),
    });
    return { ended, polls: () => i, stop: () => w.stop() };
  }

  it('says so once, at the first poll after the test ended (running true → false), then stops polling', async () => {
    vi.useFakeTimers({ now: 0 });
    const w = watch([new Error('API not up'), status({ status: 3, running: false }), status({ status: 7, running: true }), status({ status: 8, running: false })]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(w.ended).toEqual([]); // not before the run had started
    await vi.advanceTimersByTimeAsync(1_000);
    expect(w.ended).toEqual([4_000]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(w.ended).toEqual([4_000]);
    expect(w.polls()).toBe(4);
  });

  it('recognises the Ended status even when it never saw the run going', async () => {
    vi.useFakeTimers({ now: 0 });
    const w = watch([status({ status: 9, running: false })]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(w.ended).toEqual([1_000]);
  });

  it('stays silent when stopped first (k6 exited on its own)', async () => {
    vi.useFakeTimers({ now: 0 });
    const w = watch([status({ status: 7, running: true })]);
    await vi.advanceTimersByTimeAsync(5_000);
    w.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(w.ended).toEqual([]);
    expect(w.polls()).toBe(5);
  });

  it('has the sentence the issue asks for', () => {
    expect(END_OF_TEST_NOTE).toContain('close the dashboard tab to let k6 exit');
  });
});
