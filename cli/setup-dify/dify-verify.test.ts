import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readWorkflowStream } from './dify-verify.ts';

const stream = (text: string, chunk = 7): ReadableStream<Uint8Array> => {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, (at += chunk)));
    },
  });
};
const ev = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;

describe('readWorkflowStream', () => {
  it('reads a recorded Dify workflow stream to workflow_finished (split at odd byte counts)', async () => {
    const text = readFileSync(new URL('../../test/fixtures/dify-workflow.sse', import.meta.url), 'utf8');
    const out = await readWorkflowStream(stream(text));
    expect(out.firstEvent).toBe('workflow_started');
    expect(out.status).toBe('succeeded');
  });

  it('takes the End node’s answer, skipping pings', async () => {
    const text = 'event: ping\n\n' + ev({ event: 'workflow_started', data: {} }) + ev({ event: 'text_chunk', data: { text: 'Hi' } }) + ev({ event: 'workflow_finished', data: { status: 'succeeded', outputs: { answer: 'Hi' } } });
    expect(await readWorkflowStream(stream(text))).toEqual({ firstEvent: 'workflow_started', events: 3, status: 'succeeded', answer: 'Hi', error: '' });
  });

  it('reports an error event, a failed run and a stream that just ends', async () => {
    expect(await readWorkflowStream(stream(ev({ event: 'error', code: 'invalid_param', message: 'Model gpt-4o not exist.' })))).toMatchObject({ status: 'error', error: 'invalid_param: Model gpt-4o not exist.' });
    expect(await readWorkflowStream(stream(ev({ event: 'workflow_finished', data: { status: 'failed', error: 'Connection error.' } })))).toMatchObject({ status: 'failed', error: 'Connection error.' });
    expect(await readWorkflowStream(stream(ev({ event: 'workflow_started', data: {} })))).toMatchObject({ status: 'early_end', events: 1 });
  });
});
