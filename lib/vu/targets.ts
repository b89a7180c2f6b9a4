/**
 * One place that turns the configured TARGET into what a stream needs: the request
 * (`sse.open` url + params) and how the `stream` and `burst` scenarios interpret events.
 * Request headers: `Content-Type: application/json` for JSON bodies, `Authorization:
 * Bearer <key>` only when a key is set — built once; the key goes nowhere else.
 *
 * Per VU: `createTarget` runs in the init context and makes two closures (`request`, `mode`); each
 * scenario's interpreter is made by `mode` when that scenario's session is, so a VU builds only its
 * target's interpreter, and only for the scenarios it runs. The interpreter factory comes in as an
 * argument, picked from INTERPRETERS by top-level code (build/sse.js): a function that named all three
 * factories would keep all three alive in every VU (Sobek keeps every module binding a function
 * refers to for as long as the module's closures live).
 * Pure: no k6 import (types only).
 */
import type { Params } from 'k6/x/sse';
import type { Config, TargetName } from '../init/config.ts';
import type { SampleSink, TrackerMode } from './stream-tracker.ts';
import type { AnswerNotes, InterpreterFactory } from './interpreter.ts';
import { difyInterpreter } from './target-dify.ts';
import { genericInterpreter } from './target-generic.ts';
import { openaiInterpreter } from './target-openai.ts';

/** Each target's interpreter factory: read by top-level code only (see above). */
export const INTERPRETERS: Readonly<Record<TargetName, InterpreterFactory>> = {
  'dify-workflow': difyInterpreter,
  'dify-chat': difyInterpreter,
  'openai-chat': openaiInterpreter,
  generic: genericInterpreter,
};

/** What createTarget reads of the configuration (all a VU's plan carries of it, with the tracker's settings). */
export type TargetConfig = Pick<Config, 'target' | 'url' | 'apiKey' | 'model' | 'method' | 'body' | 'maxEvents' | 'streamTimeout' | 'terminalEvents' | 'jsonCheck'>;

/** The arguments of one `sse.open` call. */
export interface StreamRequest {
  readonly url: string;
  readonly params: Params;
}

/** The two scenarios: `stream` interprets every event (content, ends, fields that matter), `burst` counts events and finds the end. */
export type ScenarioName = 'stream' | 'burst';

/** A chat message of openai-chat's history. */
export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** What a turn of a conversation (lib/vu/conversation.ts) adds to the request: DATASET's answer length, the conversation so far. */
export interface TurnRequest {
  /** max_tokens (OpenAI) or `inputs.max_tokens` (Dify); 0 = none. */
  readonly maxTokens: number;
  /** dify-chat: the conversation's id ('' on its first turn). */
  readonly conversationId: string;
  /** openai-chat: the messages before this turn's (null: none). */
  readonly history: readonly ChatMessage[] | null;
}

export interface Target {
  readonly name: TargetName;
  /** The request for one question; `user` = USER_PREFIX + VU + iteration; `turn`: a conversation's (absent: a lone question). */
  request(question: string, user: string, turn?: TurnRequest): StreamRequest;
  /** How a scenario's tracker treats this target's events (made once per session; Dify's node and workflow times go to `sink`). */
  mode(scenario: ScenarioName, sink: SampleSink): TrackerMode;
}

/** The target of a configuration, given its interpreter factory (`INTERPRETERS[config.target]`): build/sse.js's way. */
export const createTargetWith = (config: TargetConfig, interpreter: InterpreterFactory, answer?: AnswerNotes): Target => {
  const target = config.target;
  const generic = target === 'generic';
  const method = generic ? config.method : 'POST';
  const hasBody = !generic || config.body !== '';
  // A generic BODY that is JSON (an object or an array) gets `Content-Type: application/json` too.
  const bodyStart = generic ? config.body.trimStart().charCodeAt(0) : 123;
  const headers: Record<string, string> = {};
  if (hasBody && (bodyStart === 123 || bodyStart === 91)) headers['Content-Type'] = 'application/json';
  if (config.apiKey !== '') headers['Authorization'] = `Bearer ${config.apiKey}`;
  Object.freeze(headers); // shared by every request of the VU
  const { url, streamTimeout: timeout, model } = config;
  return {
    name: target,
    request(question, user, turn) {
      const params: Params = { method, headers };
      if (timeout !== '') params.timeout = timeout;
      if (hasBody) {
        const max = turn === undefined ? 0 : turn.maxTokens;
        switch (target) {
          case 'dify-workflow':
            params.body = JSON.stringify({ inputs: max > 0 ? { question, max_tokens: max } : { question }, response_mode: 'streaming', user });
            break;
          case 'dify-chat': {
            const b: Record<string, unknown> = { inputs: max > 0 ? { max_tokens: max } : {}, query: question, response_mode: 'streaming', user };
            if (turn !== undefined && turn.conversationId !== '') b['conversation_id'] = turn.conversationId;
            params.body = JSON.stringify(b);
            break;
          }
          case 'openai-chat': {
            const history = turn === undefined ? null : turn.history;
            const messages: ChatMessage[] = history === null ? [{ role: 'user', content: question }] : [...history, { role: 'user', content: question }];
            const b: Record<string, unknown> = { model, messages, stream: true, stream_options: { include_usage: true }, user };
            if (max > 0) b['max_tokens'] = max;
            params.body = JSON.stringify(b);
            break;
          }
          default:
            params.body = config.body; // generic: BODY as configured
        }
      }
      return { url, params };
    },
    mode(scenario, sink) {
      const detail = scenario === 'stream';
      return Object.freeze({ interpret: interpreter(config, detail, sink, answer), detail, needsTerminal: !generic });
    },
  };
};

/**
 * The target of a configuration (tests and the CLI: code outside a VU). `answer`: what a
 * conversation's next turn reads from the stream (TURNS > 1; lib/vu/conversation.ts).
 */
export const createTarget = (config: TargetConfig, answer?: AnswerNotes): Target => createTargetWith(config, INTERPRETERS[config.target], answer);
