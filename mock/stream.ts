import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultName } from './faults.ts';
import { epochMs, type ModelRecord } from './model-log.ts';
import type { MockOptions } from './options.ts';
import type { Rng } from './rng.ts';
import { newTask, type Scheduler, type Task } from './scheduler.ts';
import type { StreamEnd, StreamScript } from './script.ts';
import type { MockStats } from './stats.ts';
import { TOKEN_SETS, pickToken, type TokenSet } from './text.ts';

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
} as const;

/** Due times within this much of now fire now: Node timers have 1 ms resolution. */
const EARLY_MS = 0.5;

const ASCII = /^[\x00-\x7f]*$/;

const enum Phase {
  BeforeStart,
  Tokens,
  Stalled,
  /** A Dify stop request came: the stopped end events go out at `stopDue`. */
  Stopping,
  Done,
}

/** Open streams, so shutdown can end them and /stats can count them. */
export interface StreamRegistry {
  readonly stats: MockStats;
  readonly scheduler: Scheduler;
  readonly open: Set<{ shutdown(): void }>;
}

/** The delay added to one token interval. */
export function jitterMs(o: MockOptions, rng: Rng): number {
  if (o.jitter === 'none' || o.jitterMs === 0) return 0;
  const u = rng.next();
  return o.jitter === 'uniform' ? u * o.jitterMs : -Math.log(1 - u) * o.jitterMs;
}

/**
 * One SSE response: writes the script's events on schedule, all events due at one
 * wake-up in a single write, applies the in-stream faults, and releases everything the
 * moment the client goes away.
 */
export class SseStream {
  private phase = Phase.BeforeStart;
  private readonly task: Task;
  private readonly startDue: number;
  private nextTokenDue: number;
  /** nextTokenDue − t0, summed from the knobs alone: the scheduled elapsed time, free of t0's rounding. */
  private tokenOffsetMs: number;
  private nextPingDue: number;
  private tokenIndex = 0;
  private events = 0;
  /**
   * The tokens sent so far, as indices into the token set. Not a string grown per token: each `+=`
   * would leave one more live cons-string node for every young-generation GC to copy, and
   * those pauses grew to 7–19 ms with 1,000 open streams (measured; docs/mock-server.md).
   */
  private readonly picks: Uint8Array | Uint16Array;
  private ended = false;
  private blocked = false;
  private readonly stopAt: number;
  /**
   * True when token events are ASCII (their byte length is their length): then a write of
   * tokens only skips Buffer.byteLength, which flattens the string once more than the write does.
   */
  private readonly asciiTokens: boolean;
  /** The socket when events go to it directly as HTTP chunks (see begin()), else null. */
  private socket: Socket | null = null;
  /** The words this stream writes (`--text`). */
  private readonly words: TokenSet;
  /** When a stopped stream's end events are due (Phase.Stopping). */
  private stopDue = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly script: StreamScript,
    private readonly o: MockOptions,
    private readonly rng: Rng,
    private readonly fault: FaultName | null,
    private readonly reg: StreamRegistry,
    private readonly t0: number,
    /** `--model-log on` and a marked prompt: where token and end write times go. */
    private readonly log: ModelRecord | null = null,
  ) {
    this.task = newTask((now) => this.fire(now));
    this.startDue = t0 + o.ttfeMs;
    this.tokenOffsetMs = script.tokensAtTtfe ? o.ttfeMs : Math.max(o.ttfeMs, o.ttftMs);
    this.nextTokenDue = t0 + this.tokenOffsetMs;
    this.nextPingDue = o.pingIntervalMs > 0 && script.ping ? t0 + o.pingIntervalMs : Infinity;
    this.stopAt = fault === 'error_event' || fault === 'workflow_failed' ? Math.floor(o.tokens / 2) : o.tokens;
    this.words = TOKEN_SETS[o.text];
    this.picks = this.words.tokens.length <= 256 ? new Uint8Array(this.stopAt) : new Uint16Array(this.stopAt);
    // A token event differs from another only by the token's JSON and its index (script.ts).
    this.asciiTokens = this.words.ascii && ASCII.test(script.token(this.words.json[0] ?? '""', 0));
  }

  /** Sends the headers and the events due now; schedules the rest. */
  begin(headers: Record<string, string>): void {
    const { res, reg } = this;
    reg.stats.streamsStarted++;
    reg.stats.activeStreams++;
    reg.open.add(this);
    res.on('close', () => this.onClose());
    res.writeHead(200, headers);
    if (this.fault === 'stall') {
      this.phase = Phase.Stalled;
      res.flushHeaders();
      return;
    }
    res.flushHeaders(); // at once, like Dify
    // Per event, writing the HTTP chunk to the socket ourselves costs about half of what
    // res.write() does (no cork/uncork tick, one buffer instead of three); measured in
    // docs/mock-server.md. res.end() still writes the last chunk, so keep-alive stays intact.
    // Without chunked encoding (an HTTP/1.0 client) res.write() frames nothing and is used as is.
    if (this.o.chunkWriter === 'socket' && res.chunkedEncoding && res.socket) this.socket = res.socket;
    const next = this.fire(performance.now());
    if (next >= 0) reg.scheduler.schedule(this.task, next);
  }

  /** Ends the response now (server shutdown): no more events. */
  shutdown(): void {
    if (!this.ended) this.finish('');
  }

  /**
   * A Dify stop request for this stream: no more tokens; after `--stop-delay-ms` the script's
   * stopped end events (workflow_finished `stopped`, or message_end), then the response ends.
   * False when the stream has already ended (Dify answers success anyway).
   */
  stop(): boolean {
    if (this.ended || this.phase === Phase.Stopping || !this.script.stopped) return false;
    this.phase = Phase.Stopping;
    this.stopDue = performance.now() + this.o.stopDelayMs;
    this.reg.stats.streamsStopped++;
    this.reg.scheduler.cancel(this.task);
    if (!this.blocked) this.reg.scheduler.schedule(this.task, this.stopDue);
    return true;
  }

  /** The answer so far, as the end events report it. */
  private endSoFar(): StreamEnd {
    let answer = '';
    const tokens = this.words.tokens;
    for (let i = 0; i < this.tokenIndex; i++) answer += tokens[this.picks[i] ?? 0];
    return { answer, tokens: this.tokenIndex, elapsedS: this.tokenOffsetMs / 1000, nowS: Math.floor(Date.now() / 1000) };
  }

  /**
   * `--after-client-left generate`: the tokens the answer still had, generated on their schedule
   * after the client left and written nowhere, counted in `/stats` `tokensAfterClientLeft`.
   */
  private generateAfterClientLeft(): void {
    const ghost: { shutdown(): void } = { shutdown: () => this.reg.scheduler.cancel(task) };
    const task = newTask((now) => {
      while (this.tokenIndex < this.stopAt && this.nextTokenDue <= now + EARLY_MS) {
        pickToken(this.rng, this.words);
        this.tokenIndex++;
        this.reg.stats.tokensAfterClientLeft++;
        this.tokenOffsetMs += this.o.tokenIntervalMs + jitterMs(this.o, this.rng);
        this.nextTokenDue = this.t0 + this.tokenOffsetMs;
      }
      if (this.tokenIndex < this.stopAt) return this.nextTokenDue;
      this.reg.open.delete(ghost);
      return -1;
    });
    if (this.tokenIndex >= this.stopAt) return;
    this.reg.open.add(ghost);
    this.reg.scheduler.schedule(task, this.nextTokenDue);
  }

  /** Marks the stream ended and counts it once, as finished or aborted. */
  private release(how: 'streamsFinished' | 'streamsAborted'): void {
    this.ended = true;
    this.phase = Phase.Done;
    this.reg.scheduler.cancel(this.task);
    this.reg.open.delete(this);
    this.reg.stats.activeStreams--;
    this.reg.stats[how]++;
  }

  private onClose(): void {
    if (this.ended) return;
    const generating = this.phase === Phase.BeforeStart || this.phase === Phase.Tokens;
    this.release('streamsAborted');
    if (generating && this.o.afterClientLeft === 'generate') this.generateAfterClientLeft();
  }

  private finish(out: string): void {
    this.release('streamsFinished');
    if (out !== '') this.write(out);
    this.res.end();
  }

  private reset(out: string): void {
    this.release('streamsAborted');
    const socket = this.res.socket;
    this.write(out, () => socket?.destroy());
  }

  /** Writes SSE text as one HTTP chunk; false when the socket buffer is full. `ascii`: the text is known to be ASCII. */
  private write(out: string, done?: () => void, ascii = false): boolean {
    const text = this.fault === 'crlf' ? out.replace(/\n/g, '\r\n') : out;
    if (text === '') {
      done?.(); // an empty chunk would end the body
      return true;
    }
    const socket = this.socket;
    if (!socket) return this.res.write(text, done);
    const bytes = ascii ? text.length : Buffer.byteLength(text);
    return socket.write(`${bytes.toString(16)}\r\n${text}\r\n`, done);
  }

  /** The events after the last token: the script's end, or what the fault puts in its place. */
  private terminalEvents(): string[] {
    const { script, fault } = this;
    if (fault === 'no_terminal') return [];
    const end = this.endSoFar();
    return fault === 'error_event' ? script.error(end) : fault === 'workflow_failed' ? script.failed(end) : script.finish(end);
  }

  /** `events` joined, counted in this.events; stops where the `reset` fault cuts the stream (`resetAt`, else -1). */
  private take(events: readonly string[], resetAt: number): string {
    let out = '';
    for (const e of events) {
      if (this.events === resetAt) break;
      out += e;
      this.events++;
    }
    return out;
  }

  /** Writes everything due by `now`; returns the next due time, or -1 when nothing is left to schedule. */
  private fire(now: number): number {
    if (this.ended || this.blocked || this.phase === Phase.Stalled) return -1;
    const { o, script, fault } = this;
    if (this.phase === Phase.Stopping) {
      if (this.stopDue > now + EARLY_MS) return this.stopDue;
      const events = (script.stopped as (end: StreamEnd) => string[])(this.endSoFar());
      if (this.log !== null) this.log.end = epochMs(performance.now());
      this.reg.stats.eventsSent += events.length;
      this.finish(events.join(''));
      return -1;
    }
    const limit = now + EARLY_MS;
    const resetAt = fault === 'reset' ? o.resetAfterEvents : -1;
    const events0 = this.events;
    let out = '';
    let pings = 0;
    let ascii = this.asciiTokens; // until a non-token event joins
    // Everything due by `limit` goes out in time order: a late wake-up must not put a ping due
    // after the start or a token in front of it.
    const pingsUntil = (due: number): void => {
      while (this.nextPingDue <= due) {
        out += script.ping;
        pings++;
        this.nextPingDue += o.pingIntervalMs;
      }
    };
    let terminal = false;
    if (this.phase === Phase.BeforeStart && this.startDue <= limit) {
      pingsUntil(this.startDue);
      this.phase = Phase.Tokens;
      ascii = false;
      out += this.take(script.start(), resetAt);
    }
    while (this.phase === Phase.Tokens && this.events !== resetAt && this.nextTokenDue <= limit) {
      pingsUntil(this.nextTokenDue);
      if (this.tokenIndex === this.stopAt) {
        terminal = true;
        out += this.take(this.terminalEvents(), resetAt);
        break;
      }
      const k = pickToken(this.rng, this.words);
      this.picks[this.tokenIndex] = k;
      let e = script.token(this.words.json[k] as string, this.tokenIndex);
      if (this.tokenIndex === 0 && fault === 'invalid_json') e = e.replace(/}\n\n$/, '\n\n');
      if (this.tokenIndex === 0 && fault === 'unknown_field') e = `mock_unknown: 1\n${e}`;
      out += e;
      this.events++;
      this.tokenIndex++;
      if (this.tokenIndex < this.stopAt || fault === 'error_event' || fault === 'workflow_failed') {
        this.tokenOffsetMs += o.tokenIntervalMs + jitterMs(o, this.rng);
        this.nextTokenDue = this.t0 + this.tokenOffsetMs;
      }
    }
    if (!terminal) pingsUntil(limit);
    this.reg.stats.eventsSent += pings + this.events - events0;
    if (this.log !== null) {
      const at = epochMs(performance.now()); // written right below, in one write
      for (let i = this.log.tokens.length; i < this.tokenIndex; i++) this.log.tokens.push(at);
      if (terminal) this.log.end = at;
    }
    if (this.events === resetAt) {
      this.reset(out);
      return -1;
    }
    if (terminal) {
      this.finish(out);
      return -1;
    }
    if (out !== '' && !this.write(out, undefined, ascii)) {
      this.blocked = true;
      (this.socket ?? this.res).once('drain', () => {
        this.blocked = false;
        const next = this.fire(performance.now());
        if (next >= 0) this.reg.scheduler.schedule(this.task, next);
      });
      return -1;
    }
    return Math.min(this.phase === Phase.BeforeStart ? this.startDue : this.nextTokenDue, this.nextPingDue);
  }
}
