/**
 * Conversations and dataset prompts (TURNS, THINK_TIME, DATASET): one `stream` iteration is one
 * conversation of TURNS turns. Made by build/sse.js only when DATASET is set or TURNS > 1: this
 * module's one top-level binding is the factory, and everything else is made inside it, so a VU
 * of a run without them pays one function object (see docs/metrics-and-faults.md#per-vu-work).
 *
 * - Prompts: with DATASET, conversation n takes record n (wrapping; the init already shuffled them
 *   for DATASET_ORDER=shuffled), its human turns in order, and when it has fewer than TURNS, the
 *   turns of the records after it. Without DATASET, turn k of conversation n is question n·TURNS+k
 *   of the questions (picked as lib/vu/question-pick.ts picks them).
 * - dify-chat: the first turn sends no `conversation_id`; each later turn sends the id the previous
 *   turn's `message_end` carried (read by the target's interpreter into `answer`). `user` is the
 *   iteration's, so it is stable for the conversation.
 * - openai-chat: `messages` carries the whole history: each turn's prompt and the assistant's
 *   streamed answer (collected by the interpreter only because a next turn needs it).
 * - A failed turn (or a Dify turn without a `conversation_id`) ends the conversation; its failure
 *   is counted and logged by the session as any stream's.
 * - Metrics: `sse_ttft` / `sse_ttfe` tagged `turn` (`1`, `2`, `3`, `4+`), conversations started
 *   and completed, turns per conversation (TURNS > 1); prompt characters sent and output tokens per
 *   answer (DATASET or TURNS > 1). All per request or per conversation: no per-event sample.
 * Pure: k6's `sleep` comes in through the setup.
 */
import type { WorkloadConfig } from '../init/config.ts';
import type { TargetName } from '../env-vars.ts';
import type { AnswerNotes } from './interpreter.ts';
import { pickQuestion } from './question-pick.ts';
import type { StreamRunner } from './sse-session.ts';
import type { SampleSink, Tags } from './stream-tracker.ts';
import type { ChatMessage, StreamRequest, Target } from './targets.ts';

export interface ConversationSetup {
  readonly target: Target;
  readonly targetName: TargetName;
  readonly workload: WorkloadConfig;
  /** The VU plan's SharedArray: questions, or DATASET records, from index `first` on. */
  readonly shared: ArrayLike<string>;
  readonly first: number;
  /** What the target's interpreter writes for the next turn (the object passed to createTarget). */
  readonly answer: AnswerNotes;
  readonly sink: SampleSink;
  /** The `stream` scenario's session, made with the sink it is given (the turn-tagging one). */
  readonly session: (sink: SampleSink) => StreamRunner;
  /** k6's `sleep` (seconds) with THINK_TIME, else `null`. */
  readonly sleep: ((seconds: number) => void) | null;
  /** [0, 1): the think-time draw. */
  readonly random: () => number;
  /** A warning (the dify-chat turn that returned no conversation id), once per VU. */
  readonly warn: (message: string) => void;
}

export interface Conversations {
  /** One `stream` iteration: conversation `n` (the scenario's iteration in the test) for `user`. */
  run(n: number, user: string): void;
  /** One single-turn request (the `burst` scenario): prompt `index` of the dataset or questions. */
  single(index: number, user: string): StreamRequest;
}

/** One turn's prompt and its record's max_tokens (0 = none). */
interface Turn {
  readonly prompt: string;
  readonly maxTokens: number;
}

export const createConversations = (setup: ConversationSetup): Conversations => {
  const { target, targetName, workload, shared, first, answer, sink, sleep, random, warn } = setup;
  const turns = workload.turns;
  const multi = turns > 1;
  const dataset = workload.dataset !== '';
  const count = shared.length - first;
  if (count <= 0) throw new Error('sse-bench: the VU plan carries no prompt');
  const think = workload.thinkTimeMs;

  // The `turn` tag values: lib/turn-tags.ts's TURN_TAG_CAP (4) written out here (that module is not per VU).
  const TAG_CAP = 4;
  const turnTags: Tags[] = [];
  for (let k = 1; k <= TAG_CAP; k++) turnTags.push(Object.freeze({ turn: k < TAG_CAP ? String(k) : `${TAG_CAP}+` }));
  let turnTag: Tags = turnTags[0] as Tags;

  // The stream's samples, with TTFT/TTFE tagged by turn (TURNS > 1) and each answer's tokens as a distribution.
  const turnSink: SampleSink = {
    add(key, value, tags) {
      if (multi && tags === undefined && (key === 'ttft' || key === 'ttfe')) sink.add(key, value, turnTag);
      else sink.add(key, value, tags);
      if (key === 'llmOutputTokens') sink.add('answerTokens', value);
    },
  };
  let runner: StreamRunner | null = null;

  /** Record `i` (wrapping) as `[maxTokens, turn…]`. */
  const record = (i: number): unknown[] => JSON.parse(shared[first + (i % count)] as string) as unknown[];

  /** The prompts of conversation `n`: TURNS of them (fewer only when the whole dataset holds fewer turns). */
  const turnsOf = (n: number, wanted: number): Turn[] => {
    const out: Turn[] = [];
    if (!dataset) {
      for (let k = 0; k < wanted; k++) out.push({ prompt: pickQuestion(shared, n * wanted + k, first), maxTokens: 0 });
      return out;
    }
    // Records from n on, until `wanted` turns or one pass over the dataset.
    for (let r = 0; r < count && out.length < wanted; r++) {
      const rec = record(n + r);
      const maxTokens = rec[0] as number;
      for (let t = 1; t < rec.length && out.length < wanted; t++) out.push({ prompt: rec[t] as string, maxTokens });
    }
    return out;
  };

  const request = (turn: Turn, user: string, conversationId: string, history: ChatMessage[] | null): StreamRequest => {
    const req = target.request(turn.prompt, user, { maxTokens: turn.maxTokens, conversationId, history });
    sink.add('promptChars', turn.prompt.length);
    return req;
  };

  const pause = (): void => {
    if (think === null || sleep === null) return;
    const ms = think[0] + (think[1] - think[0]) * random();
    if (ms > 0) sleep(ms / 1000);
  };

  let warned = false;

  return {
    run(n, user) {
      const run = (runner ??= setup.session(turnSink));
      const plan = turnsOf(n, turns);
      const history: ChatMessage[] | null = targetName === 'openai-chat' && multi ? [] : null;
      let conversationId = '';
      let done = 0;
      if (multi) sink.add('conversationsStarted', 1);
      for (let k = 0; k < plan.length; k++) {
        const turn = plan[k] as Turn;
        if (k > 0) pause();
        turnTag = turnTags[k < TAG_CAP ? k : TAG_CAP - 1] as Tags;
        answer.conversationId = '';
        answer.text = '';
        const outcome = run(request(turn, user, conversationId, history));
        if (!outcome.success) break;
        done++;
        if (history !== null) {
          history.push({ role: 'user', content: turn.prompt });
          history.push({ role: 'assistant', content: answer.text });
        }
        if (targetName === 'dify-chat' && multi && k + 1 < plan.length) {
          if (answer.conversationId === '') {
            if (!warned) warn(`sse-bench: dify-chat turn ${k + 1} succeeded but its message_end carried no conversation_id; the conversation ends there`);
            warned = true;
            break;
          }
          conversationId = answer.conversationId;
        }
      }
      if (multi) {
        sink.add('turnsPerConversation', done);
        if (done === plan.length) sink.add('conversationsCompleted', 1);
      }
    },
    single(index, user) {
      const turn = dataset ? (turnsOf(index, 1)[0] as Turn) : { prompt: pickQuestion(shared, index, first), maxTokens: 0 };
      return request(turn, user, '', null);
    },
  };
};
