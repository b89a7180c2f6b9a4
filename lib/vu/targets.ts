/**
 * One place that turns the configured TARGET into what a stream needs: the request
 * (`sse.open` url + params) and how the `stream` and `burst` scenarios interpret events.
 * Request headers: `Content-Type: application/json` for JSON bodies, `Authorization:
 * Bearer <key>` only when a key is set — built once; the key goes nowhere else.
 * Pure: no k6 import (types only).
 */
import type { Params } from 'k6/x/sse';
import type { Config, TargetName } from '../init/config.ts';

/** What createTarget reads of the configuration (all a VU's plan carries of it, with the tracker's settings). */
export type TargetConfig = Pick<Config, 'target' | 'url' | 'apiKey' | 'model' | 'method' | 'body' | 'maxEvents' | 'streamTimeout' | 'terminalEvents' | 'jsonCheck'>;
import type { TrackerMode } from './stream-tracker.ts';
import { difyChatBody, difyInterpreters, difyWorkflowBody } from './target-dify.ts';
import { genericInterpreter } from './target-generic.ts';
import { nameSet, type AnswerNotes } from './interpreter.ts';
import { openaiBody, openaiInterpreters } from './target-openai.ts';

/** The arguments of one `sse.open` call. */
export interface StreamRequest {
  readonly url: string;
  readonly params: Params;
}

export interface Target {
  readonly name: TargetName;
  /** The request for one question; `user` = USER_PREFIX + VU + iteration. */
  request(question: string, user: string): StreamRequest;
  /** `stream` scenario: every event interpreted (content, ends, fields that matter, per-stream gaps, tokens). */
  readonly stream: TrackerMode;
  /** `burst` scenario: count events and detect the terminal event only. */
  readonly burst: TrackerMode;
}

/** A body that is JSON (an object or array) gets `Content-Type: application/json`. */
const looksLikeJson = (body: string): boolean => {
  const c = body.trimStart().charCodeAt(0);
  return c === 123 || c === 91; // { or [
};

/** Request headers for the run (frozen; shared by every request of the VU). */
export const requestHeaders = (apiKey: string, jsonBody: boolean): Readonly<Record<string, string>> => {
  const headers: Record<string, string> = {};
  if (jsonBody) headers['Content-Type'] = 'application/json';
  if (apiKey !== '') headers['Authorization'] = `Bearer ${apiKey}`;
  return Object.freeze(headers);
};

/** The request body of one iteration, per target (generic: BODY as configured). */
const bodyBuilder = (config: TargetConfig): (question: string, user: string) => string => {
  switch (config.target) {
    case 'dify-workflow':
      return difyWorkflowBody;
    case 'dify-chat':
      return difyChatBody;
    case 'openai-chat':
      return (question, user) => openaiBody(config.model, question, user);
    case 'generic':
      return () => config.body;
  }
};

const modes = (config: TargetConfig, answer: AnswerNotes | undefined): { stream: TrackerMode; burst: TrackerMode } => {
  const terminal = nameSet(config.terminalEvents);
  const needsTerminal = config.target !== 'generic';
  const fullCheck = config.jsonCheck !== 'structural'; // absent = full, the default
  const mode = (interpret: TrackerMode['interpret'], detail: boolean): TrackerMode => Object.freeze({ interpret, detail, needsTerminal });
  switch (config.target) {
    case 'dify-workflow':
    case 'dify-chat': {
      const dify = difyInterpreters(answer); // only the chosen target's code is made in a VU
      return { stream: mode(dify.stream(terminal, fullCheck), true), burst: mode(dify.burst(terminal), false) };
    }
    case 'openai-chat': {
      const openai = openaiInterpreters(answer);
      return { stream: mode(openai.stream(terminal, fullCheck), true), burst: mode(openai.burst(terminal), false) };
    }
    case 'generic':
      return {
        stream: mode(genericInterpreter(config.terminalEvents, config.maxEvents, true), true),
        burst: mode(genericInterpreter(config.terminalEvents, config.maxEvents, false), false),
      };
  }
};

/** `answer`: what a conversation's next turn reads from the stream (TURNS > 1; lib/vu/conversation.ts). */
export const createTarget = (config: TargetConfig, answer?: AnswerNotes): Target => {
  const body = bodyBuilder(config);
  const method = config.target === 'generic' ? config.method : 'POST';
  const hasBody = config.target !== 'generic' || config.body !== '';
  const headers = requestHeaders(config.apiKey, hasBody && (config.target !== 'generic' || looksLikeJson(config.body)));
  const { url, streamTimeout: timeout } = config;
  return {
    name: config.target,
    request(question, user) {
      const params: Params = { method, headers };
      if (timeout !== '') params.timeout = timeout;
      if (hasBody) params.body = body(question, user);
      return { url, params };
    },
    ...modes(config, answer),
  };
};
