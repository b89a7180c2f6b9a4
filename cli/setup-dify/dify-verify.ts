/**
 * The `verify` step of `npm run setup:dify`: one real streamed run of the app through Dify's
 * service API (`POST <dify>/v1/workflows/run`, `Authorization: Bearer <app key>`), read to
 * `workflow_finished` with eventsource-parser; it reports the first event and the answer.
 */
import { createParser } from 'eventsource-parser';
import { DifyApiError, isObj, noAnswer, str } from './dify-console-client.ts';
import { type Step, StepFailure } from './dify-setup-steps.ts';

export const VERIFY_QUESTION = 'What is a server-sent event stream?';
const PATH = '/v1/workflows/run';

export interface StreamOutcome {
  readonly firstEvent: string;
  readonly events: number;
  readonly status: string;
  readonly answer: string;
  readonly error: string;
}

/** Reads Dify's workflow stream to `workflow_finished` or `error`. */
export async function readWorkflowStream(body: ReadableStream<Uint8Array>): Promise<StreamOutcome> {
  let firstEvent = '';
  let events = 0;
  let end: StreamOutcome | null = null;
  const parser = createParser({
    onEvent(message) {
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return; // keep-alives and comments carry no JSON
      }
      if (!isObj(data) || end !== null) return;
      const name = str(data.event);
      if (name === '' || name === 'ping') return;
      events++;
      if (firstEvent === '') firstEvent = name;
      if (name === 'workflow_finished') {
        const run = isObj(data.data) ? data.data : {};
        const outputs = isObj(run.outputs) ? run.outputs : {};
        end = { firstEvent, events, status: str(run.status), answer: str(outputs.answer), error: str(run.error) };
      } else if (name === 'error') {
        end = { firstEvent, events, status: 'error', answer: '', error: `${str(data.code)}: ${str(data.message)}` };
      }
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (end !== null) break;
  }
  return end ?? { firstEvent, events, status: 'early_end', answer: '', error: 'the stream ended without workflow_finished' };
}

export const verifyStep: Step = {
  name: 'verify',
  async run(ctx) {
    const started = ctx.now();
    let res: Response;
    try {
      res = await ctx.fetchFn(`${ctx.args.difyUrl}${PATH}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ctx.state.apiKey ?? ''}`, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify({ inputs: { question: VERIFY_QUESTION }, response_mode: 'streaming', user: 'sse-bench-setup' }),
        signal: AbortSignal.timeout(ctx.verifyTimeoutMs),
      });
    } catch (err) {
      throw noAnswer('POST', PATH, err);
    }
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('text/event-stream') || res.body === null) {
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: shown as text
      }
      const body = isObj(parsed) ? parsed : {};
      throw new DifyApiError('POST', PATH, res.status, str(body.code), str(body.message) || text.slice(0, 200) || `content-type ${res.headers.get('content-type') ?? 'none'}`);
    }
    let out: StreamOutcome;
    try {
      out = await readWorkflowStream(res.body);
    } catch (err) {
      throw new StepFailure(`the stream broke: ${(err as Error).message}`, `check Dify's api/worker logs; a stream over ${ctx.verifyTimeoutMs / 1000} s is cut`);
    }
    if (out.status !== 'succeeded') {
      throw new StepFailure(
        `the run ended ${out.status} after ${out.events} event(s): ${out.error}`,
        "the workflow failed inside Dify: check that Dify's plugin daemon reaches --llm-base-url and the model exists there, and the worker logs",
      );
    }
    ctx.state.verifiedAt = new Date(ctx.now()).toISOString();
    const answer = out.answer.length > 120 ? `${out.answer.slice(0, 117)}...` : out.answer;
    const secs = ((ctx.now() - started) / 1000).toFixed(1);
    return `streamed one run in ${secs} s: first event ${out.firstEvent}, ${out.events} events, answer ${JSON.stringify(answer)}`;
  },
};
