import { chatPrompt } from './answer-seed.ts';
import { difyStreaming, requireObject, requireString } from './http.ts';
import { uuid } from './rng.ts';
import { inputsMaxTokens } from './dify-inputs.ts';
import { DIFY_PING, sseData, usage, type Endpoint, type ScriptContext, type StreamEnd, type StreamScript } from './script.ts';
import { estimateTokens } from './text.ts';

/**
 * `POST /v1/chat-messages` of a chat app: `message` per token, then `message_end`. A message without
 * `conversation_id` starts a conversation under a new id (in every event, as Dify sends it); one
 * with an id continues it, or gets Dify's 404 when the server does not know it for that `user`
 * (conversations.ts, checked in `context` before anything is streamed).
 */

interface Message {
  taskId: string;
  messageId: string;
  conversationId: string;
  promptTokens: number;
  createdAtS: number;
}

function newMessage(ctx: ScriptContext): Message {
  const given = ctx.body.conversation_id;
  const m = {
    taskId: uuid(ctx.rng),
    messageId: uuid(ctx.rng),
    conversationId: typeof given === 'string' && given !== '' ? given : uuid(ctx.rng),
    promptTokens: estimateTokens(String(ctx.body.query)),
    createdAtS: ctx.createdAtS,
  };
  ctx.conversations?.message(m.conversationId, String(ctx.body.user), String(ctx.body.query));
  return m;
}

function metadata(m: Message, end: StreamEnd) {
  return { usage: usage(m.promptTokens, end), retriever_resources: [] };
}

function script(ctx: ScriptContext): StreamScript {
  const m = newMessage(ctx);
  const head = `data: {"event":"message","task_id":"${m.taskId}","id":"${m.messageId}","message_id":"${m.messageId}","conversation_id":"${m.conversationId}","answer":`;
  const tail = `,"created_at":${m.createdAtS}}\n\n`;
  const base = { task_id: m.taskId, message_id: m.messageId, conversation_id: m.conversationId, created_at: m.createdAtS };
  const error = (): string[] => [sseData({ event: 'error', ...base, status: 500, code: 'internal_server_error', message: 'Mock fault: error_event' })];
  return {
    ping: DIFY_PING,
    start: () => [],
    token: (json) => head + json + tail,
    finish: (end) => {
      ctx.conversations?.answer(m.conversationId, end.answer);
      return [sseData({ event: 'message_end', ...base, id: m.messageId, metadata: metadata(m, end), files: [] })];
    },
    error,
    failed: error,
    taskId: m.taskId,
    // Dify's chat pipeline treats QueueStopEvent like QueueMessageEndEvent: message_end with the answer so far.
    stopped: (end) => [sseData({ event: 'message_end', ...base, id: m.messageId, metadata: metadata(m, end), files: [] })],
  };
}

export const difyChat: Endpoint = {
  dialect: 'dify',
  validate(body) {
    requireString(body, 'query');
    requireString(body, 'user');
    requireObject(body, 'inputs', true);
    requireString(body, 'conversation_id', true);
    return difyStreaming(body);
  },
  prompt: chatPrompt,
  context(body, conversations) {
    const id = typeof body.conversation_id === 'string' ? body.conversation_id : '';
    const history = conversations.check(id, String(body.user));
    return { chars: history + String(body.query).length, maxTokens: inputsMaxTokens(body) };
  },
  script,
  blocking(ctx, end) {
    const m = newMessage(ctx);
    ctx.conversations?.answer(m.conversationId, end.answer);
    return {
      event: 'message',
      task_id: m.taskId,
      id: m.messageId,
      message_id: m.messageId,
      conversation_id: m.conversationId,
      mode: 'chat',
      answer: end.answer,
      metadata: metadata(m, end),
      created_at: m.createdAtS,
    };
  },
};
