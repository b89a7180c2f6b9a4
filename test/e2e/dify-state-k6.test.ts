/**
 * End-to-end: build/sse.js under a real k6 takes its API key and BASE_URL from the state
 * file of `npm run setup:dify` (DIFY_STATE) when API_KEY and BASE_URL are unset. The mock
 * demands the key, so streams succeed only when the file was read. Skipped, with a visible
 * message, without a k6 that loads k6/x/sse. (The once-per-test init, lib/init/suite-init.ts, reads the
 * file through withDifyState, lib/init/dify-state.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DIFY_STATE_SCHEMA } from '../../lib/init/dify-state.ts';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import { describeEachK6, realK6s } from './real-k6.ts';
import { runK6 } from './run-k6.ts';

const k6s = await realK6s('DIFY_STATE pickup under real k6');

const KEY = 'state-e2e-key-not-real';

describeEachK6('build/sse.js reads the setup:dify state file', k6s, (k6) => {
  let mock: MockServer;
  let statePath = '';
  beforeAll(async () => {
    mock = await startMockServer({ host: '127.0.0.1', port: 0, apiKey: KEY, pingIntervalMs: 0, tokens: 4, tokenIntervalMs: 2, ttfeMs: 5, ttftMs: 10, seed: 'state' });
    statePath = join(mkdtempSync(join(tmpdir(), 'sse-bench-state-')), 'dify.json');
    writeFileSync(statePath, JSON.stringify({ schema: DIFY_STATE_SCHEMA, complete: true, stoppedAt: '', baseUrl: mock.url, apiKey: KEY, appMode: 'workflow' }), { mode: 0o600 });
  });
  afterAll(async () => mock?.close());

  const vars = { PROFILE: 'smoke', SCENARIOS: 'stream', VUS: '1', ITERATIONS: '2', THRESHOLDS: 'none', STREAM_TIMEOUT: '3s' };

  it('streams with the file’s key and URL, and keeps the key out of the report', async () => {
    const { code, report, stdout, stderr } = await runK6(k6, 'build/sse.js', { ...vars, DIFY_STATE: statePath }, 60_000);
    expect(code).toBe(0);
    expect(report!.figures['successRate']).toBe(1);
    expect(JSON.stringify(report) + stdout + stderr).not.toContain(KEY);
  });

  it('DIFY_STATE=none turns the pickup off (the mock answers 401 without the key)', async () => {
    const { report } = await runK6(k6, 'build/sse.js', { ...vars, BASE_URL: mock.url, DIFY_STATE: 'none' }, 60_000);
    expect(report!.figures['successRate']).toBe(0);
  });
});
