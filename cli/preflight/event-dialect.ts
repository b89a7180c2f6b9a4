/**
 * Which API an SSE event comes from, read from its data the way each target reads it
 * (docs/dify-sse-protocol.md; OpenAI's chat.completion.chunk): used by the preflight to
 * say "this looks like <other target>" when the first event does not fit TARGET, and to
 * surface a server error event. Pure.
 */
import type { TargetName } from '../../lib/init/config.ts';

/**
 * `dify` = a Dify event either app type sends (`workflow_started` also starts a chatflow);
 * `dify-workflow` / `dify-chat` = an event only that kind of app sends.
 */
export type EventDialect = 'dify' | 'dify-workflow' | 'dify-chat' | 'openai-chat';

export interface EventReading {
  /** null: the data is none of the known APIs' events. */
  readonly dialect: EventDialect | null;
  /** The server's error, when the event is an error event (`code: message`). */
  readonly error: string | null;
  /** The Dify event type, the OpenAI `object`, or '' — for messages. */
  readonly type: string;
}

/** Events of a workflow app that a chatflow does not send. */
const WORKFLOW_ONLY: ReadonlySet<string> = new Set(['text_chunk']);
/** Events of chat apps (chat, agent, chatflow answers). */
const CHAT_ONLY: ReadonlySet<string> = new Set([
  'message',
  'agent_message',
  'agent_thought',
  'message_end',
  'message_file',
  'message_replace',
  'tts_message',
  'tts_message_end',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorText(e: Record<string, unknown>): string {
  const code = typeof e['code'] === 'string' ? e['code'] : typeof e['type'] === 'string' ? e['type'] : '';
  const message = typeof e['message'] === 'string' ? e['message'] : JSON.stringify(e);
  return code === '' ? message : `${code}: ${message}`;
}

/** What one event's data says about the API that sent it. */
export function readEvent(data: string): EventReading {
  if (data.trim() === '[DONE]') return { dialect: 'openai-chat', error: null, type: '[DONE]' };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { dialect: null, error: null, type: '' };
  }
  if (!isObject(value)) return { dialect: null, error: null, type: '' };
  const event = value['event'];
  if (typeof event === 'string') {
    if (event === 'error') return { dialect: 'dify', error: errorText(value), type: event };
    const dialect = WORKFLOW_ONLY.has(event) ? 'dify-workflow' : CHAT_ONLY.has(event) ? 'dify-chat' : 'dify';
    return { dialect, error: null, type: event };
  }
  if (isObject(value['error'])) return { dialect: 'openai-chat', error: errorText(value['error']), type: 'error' };
  const object = typeof value['object'] === 'string' ? value['object'] : '';
  if (object.startsWith('chat.completion') || Array.isArray(value['choices'])) return { dialect: 'openai-chat', error: null, type: object };
  return { dialect: null, error: null, type: '' };
}

/** Whether an event of `dialect` is what TARGET reads (generic reads anything). */
export function fitsTarget(dialect: EventDialect | null, target: TargetName): boolean {
  switch (target) {
    case 'generic':
      return true;
    case 'dify-workflow':
      return dialect === 'dify' || dialect === 'dify-workflow';
    case 'dify-chat':
      return dialect === 'dify' || dialect === 'dify-chat';
    case 'openai-chat':
      return dialect === 'openai-chat';
  }
}

/** The TARGET an event of `dialect` suggests, in words: `dify-chat`, or `dify-workflow or dify-chat` for either. */
export function suggestedTarget(dialect: EventDialect): string {
  return dialect === 'dify' ? 'dify-workflow or dify-chat' : dialect;
}
