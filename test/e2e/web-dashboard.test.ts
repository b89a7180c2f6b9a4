/**
 * End-to-end with real k6 (K6_BIN or PATH, with k6/x/sse): k6's built-in web dashboard run
 * with sse-bench's view, as `npm run bench -- --dashboard` sets it up
 * (cli/bench/web-dashboard-run.ts), against the mock server on 127.0.0.1:
 * - the first event on `/events` is `config` and equals grafana/k6-web-dashboard.json;
 * - the metrics the SSE tab queries are announced, sse_errors split by error_type;
 * - the HTML export embeds the same configuration;
 * - with Chromium: the live page shows the SSE tab's panels (screenshot kept in the temp dir),
 *   and so does the export;
 * - a run without a custom view sends k6's own default, whose tabs the view keeps unchanged.
 * Skipped, with a visible message, without such a k6 (or without build/sse.js).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freeAddress } from '../../cli/run/k6-run.ts';
import { webDashboardRun } from '../../cli/bench/web-dashboard-run.ts';
import { buildWebDashboardConfig } from '../../grafana/web-dashboard.ts';
import { STOCK_TABS, STOCK_TITLE } from '../../grafana/web-dashboard-stock.ts';
import { defaultOptions } from '../../mock/options.ts';
import { startMockServer } from '../../mock/server.ts';
import { findChromium, openPage, runChromium } from '../chromium.ts';
import { announcedMetrics, exportedEvents, readDashboardEvents, type DashboardEvent } from './dashboard-events.ts';
import { describeEachK6, realK6s } from './real-k6.ts';
import type { FoundK6 } from './run-k6.ts';

const k6s = await realK6s('k6 web dashboard tests');
const SCRIPT = resolve('build/sse.js');
const hasBuild = existsSync(SCRIPT);
if (k6s.length > 0 && !hasBuild) console.warn('[e2e] SKIPPED k6 web dashboard tests: build/sse.js is missing (npm run build)');
const chromium = findChromium();
if (k6s.length > 0 && chromium === '') console.warn('[e2e] k6 web dashboard: no Chromium (Debian package `chromium`, or CHROMIUM_BIN): the page screenshots are skipped');

const dir = mkdtempSync(join(tmpdir(), 'sse-bench-dashboard-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** JSON as k6 sends it back (it reads the file into a Go map and marshals it again). */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

interface K6Process {
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

/** Starts `k6 run build/sse.js` in `cwd` with the given dashboard environment; never throws. */
function startK6(k6: FoundK6, cwd: string, vars: Record<string, string>, env: Record<string, string>): K6Process {
  const restAddress = freeAddress();
  const args = ['run', '--no-usage-report', '--quiet'];
  for (const [name, value] of Object.entries(vars)) args.push('-e', `${name}=${value}`);
  let child: ReturnType<typeof spawn> | null = null;
  const exited = restAddress.then(
    (address) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        child = spawn(k6.bin, [...args, '--address', address, SCRIPT], { cwd, env: { ...process.env, ...k6.env, K6_NO_USAGE_REPORT: 'true', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.once('error', (err) => done({ code: null, stderr: `${stderr}${err.message}` }));
        child.once('close', (code) => done({ code, stderr }));
      }),
  );
  return { exited, kill: () => void (child as ReturnType<typeof spawn> | null)?.kill('SIGKILL') };
}

/** Waits for k6 to exit, killing it after `ms`. */
async function exitOf(p: K6Process, ms: number): Promise<{ code: number | null; stderr: string }> {
  const timer = setTimeout(() => p.kill(), ms);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}

const hasConfig = (events: readonly DashboardEvent[]): boolean => events.length > 0;

describeEachK6("k6's web dashboard with sse-bench's view", hasBuild ? k6s : [], (k6) => {
  it('sends the generated view first, splits errors by error_type, embeds the view in its export and shows the SSE tab', { timeout: 180_000 }, async () => {
    // A quarter of the streams fail with HTTP 500, so errors by type have something to show.
    const mock = await startMockServer({
      host: '127.0.0.1',
      port: 0,
      pingIntervalMs: 0,
      tokens: 20,
      tokenIntervalMs: 30,
      ttfeMs: 40,
      ttftMs: 60,
      seed: 'dashboard-e2e',
      faultRates: { ...defaultOptions().faultRates, http_500: 0.25 },
    });
    const port = (await freeAddress()).split(':')[1]!;
    const run = webDashboardRun(dir, 'e2e', {});
    const k6Run = startK6(
      k6,
      dir,
      { BASE_URL: mock.url, PROFILE: 'default', SCENARIOS: 'stream', VUS: '3', DURATION: '15s', THRESHOLDS: 'none', STREAM_TIMEOUT: '5s', REPORTS_DIR: dir },
      { ...run.env, K6_WEB_DASHBOARD_HOST: '127.0.0.1', K6_WEB_DASHBOARD_PORT: port, K6_WEB_DASHBOARD_PERIOD: '1s' },
    );
    try {
      const expected = viaJson(buildWebDashboardConfig());
      const wanted = ['sse_streams_opened', 'sse_streams_closed', 'sse_event', 'sse_ttfe', 'sse_ttft', 'sse_stream_success', 'sse_stream_gap_max', 'sse_errors{error_type:http_5xx}'];
      const events = await readDashboardEvents(`http://127.0.0.1:${port}/events`, (es) => wanted.every((m) => announcedMetrics(es).has(m)), 90_000);
      expect(events[0]!.event).toBe('config');
      expect(events[0]!.data).toEqual(expected);

      if (chromium !== '') {
        const page = await openPage(chromium, `http://127.0.0.1:${port}/`, 1400, 1800);
        try {
          const titles = ['SSE', 'Streams opened and closed per second', 'Time to first event (TTFE)', 'Failed streams per second by error type'];
          await page.waitFor(`${JSON.stringify(titles)}.every((t) => document.body && document.body.innerText.includes(t))`, `the SSE tab's panels (${titles.join(', ')})`, 30_000);
          await page.waitFor('document.querySelectorAll("canvas").length >= 6', 'the SSE tab\'s charts', 15_000);
          const png = await page.screenshot();
          const shot = join(tmpdir(), 'sse-bench-e2e-k6-dashboard.png');
          writeFileSync(shot, png);
          console.info(`[e2e] k6 web dashboard screenshot: ${shot}`);
          expect(png.subarray(1, 4).toString()).toBe('PNG');
          expect(png.length).toBeGreaterThan(40_000); // a blank 1400x1800 page is a few kB
        } finally {
          await page.close(); // lets k6 exit at the end
        }
      }

      const { code, stderr } = await exitOf(k6Run, 90_000);
      expect(code, stderr).toBe(0);
      expect(existsSync(run.exportPath), `no export at ${run.exportPath}\n${stderr}`).toBe(true);
      const exported = exportedEvents(readFileSync(run.exportPath, 'utf8'));
      expect(exported[0]).toEqual({ event: 'config', data: expected });

      if (chromium !== '') {
        const dom = await runChromium(chromium, ['--virtual-time-budget=10000', '--dump-dom', `file://${run.exportPath}`], join(dir, 'profile-export'), 90_000);
        for (const title of ['Time to first event (TTFE)', 'Streams opened and closed per second', 'Gaps between events']) expect(dom).toContain(title);
        const png = join(dir, 'export.png');
        await runChromium(chromium, ['--virtual-time-budget=10000', `--screenshot=${png}`, '--window-size=1400,2400', `file://${run.exportPath}`], join(dir, 'profile-export-shot'), 90_000);
        expect(statSync(png).size).toBeGreaterThan(40_000);
      }
    } finally {
      k6Run.kill();
      await k6Run.exited;
      await mock.close();
    }
  });

  it("keeps k6's stock tabs exactly as this k6 sends them without a custom view", { timeout: 120_000 }, async () => {
    const mock = await startMockServer({ host: '127.0.0.1', port: 0, pingIntervalMs: 0, tokens: 4, tokenIntervalMs: 5, seed: 'dashboard-default' });
    const cwd = mkdtempSync(join(dir, 'default-')); // no .dashboard.json here
    const port = (await freeAddress()).split(':')[1]!;
    const k6Run = startK6(
      k6,
      cwd,
      // long enough to connect while it runs: k6 waits for a connected client only, not for a late one
      { BASE_URL: mock.url, PROFILE: 'default', SCENARIOS: 'stream', VUS: '1', DURATION: '6s', THRESHOLDS: 'none', REPORTS_DIR: cwd },
      { K6_WEB_DASHBOARD: 'true', K6_WEB_DASHBOARD_HOST: '127.0.0.1', K6_WEB_DASHBOARD_PORT: port, XK6_DASHBOARD_CONFIG: '' },
    );
    try {
      const [config] = await readDashboardEvents(`http://127.0.0.1:${port}/events`, hasConfig, 90_000);
      expect(config!.event).toBe('config');
      // On a mismatch, grafana/web-dashboard-stock.ts is out of date for this k6: copy the tabs from the received config.
      expect(config!.data, `k6 ${k6.version}'s default dashboard configuration`).toEqual(viaJson({ title: STOCK_TITLE, tabs: STOCK_TABS }));
      expect((await exitOf(k6Run, 60_000)).code).toBe(0);
    } finally {
      k6Run.kill();
      await k6Run.exited;
      await mock.close();
    }
  });
});
