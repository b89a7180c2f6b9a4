/** The fake Dify's service API: `/v1/workflows/run` relaying the embedded mock, and its stop request. */
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../mock/server.ts';
import { startFakeDify, type FakeDify } from './console.ts';

const KEY = 'app-fake-run';
let mock: MockServer;
let dify: FakeDify;
beforeAll(async () => {
  mock = await startMockServer({ port: 0, ttfeMs: 0, ttftMs: 0, tokenIntervalMs: 5, tokens: 400, pingIntervalMs: 0, seed: 'fake-run' });
  dify = await startFakeDify();
  dify.addCredential('mock', mock.url);
  dify.addPublishedWorkflow(KEY);
});
afterAll(async () => {
  await dify?.close();
  await mock?.close();
});

const post = async (path: string, body: unknown, key = KEY): Promise<Response> =>
  fetch(dify.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

describe('POST /v1/workflows/tasks/<task_id>/stop', () => {
  it('ends the relayed run with workflow_finished status stopped and drops the model call', async () => {
    const before = mock.stats();
    const events: Record<string, unknown>[] = [];
    let stopAnswer: Promise<unknown> | null = null;
    const parser = createParser({
      onEvent: (e) => {
        events.push(JSON.parse(e.data) as Record<string, unknown>);
        if (events.length === 6) stopAnswer = post(`/v1/workflows/tasks/${String(events[0]!.task_id)}/stop`, { user: 'u-9' }).then((r) => r.json());
      },
    });
    const res = await post('/v1/workflows/run', { inputs: { question: 'q' }, response_mode: 'streaming', user: 'u-9' });
    const decoder = new TextDecoder();
    for await (const chunk of res.body ?? []) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    expect(await stopAnswer).toEqual({ result: 'success' });
    const last = events.at(-1) as { event: string; task_id: string; data: { status: string; error: string } };
    expect(last).toMatchObject({ event: 'workflow_finished', task_id: events[0]!.task_id, data: { status: 'stopped', error: 'Stopped by user.' } });
    expect(events.filter((e) => e.event === 'text_chunk').length).toBeLessThan(400);
    for (let i = 0; i < 100 && mock.stats().streamsAborted === before.streamsAborted; i++) await new Promise((r) => setTimeout(r, 5));
    expect(mock.stats().streamsAborted).toBe(before.streamsAborted + 1); // the model's stream was dropped
  });

  it('needs the app key and a user; answers success for a task it does not run', async () => {
    expect((await post('/v1/workflows/tasks/x/stop', { user: 'u' }, 'wrong')).status).toBe(401);
    const noUser = await post('/v1/workflows/tasks/x/stop', {});
    expect([noUser.status, await noUser.json()]).toEqual([400, { code: 'invalid_param', message: 'user is required', status: 400 }]);
    expect(await (await post('/v1/workflows/tasks/x/stop', { user: 'u' })).json()).toEqual({ result: 'success' });
  });
});
