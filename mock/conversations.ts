import { HttpError } from './http.ts';

/**
 * The Dify chat app's conversations, as the mock keeps them: the first message of a conversation
 * (no `conversation_id`) creates one under a new id; a later message names it and must come from
 * the same `user` — else 404 with Dify's own error (`NotFound("Conversation Not Exists.")` in Dify's
 * controllers: `{"code":"not_found","message":"Conversation Not Exists.","status":404}`).
 *
 * Bounded in memory: per conversation only counts (turns, history characters: what a real app
 * would put into the model's context again), and at most `limit` conversations — the least
 * recently used one is forgotten first (a later message naming it then gets the 404).
 */

/** Conversations kept at most; 10,000 × a few numbers is well under a megabyte. */
export const MAX_CONVERSATIONS = 10_000;

interface Conversation {
  readonly user: string;
  /** Messages (queries) received. */
  turns: number;
  /** Characters of the history: every query and answer so far. */
  chars: number;
}

export interface ConversationStats {
  /** Conversations created (first messages). */
  created: number;
  /** Messages that named an existing conversation. */
  continued: number;
  /** Messages that named an unknown conversation (answered 404). */
  unknown: number;
  /** Conversations kept now. */
  kept: number;
}

export class ConversationStore {
  private readonly byId = new Map<string, Conversation>();
  private readonly counts = { created: 0, continued: 0, unknown: 0 };

  constructor(private readonly limit = MAX_CONVERSATIONS) {}

  /**
   * Checks a message's `conversation_id` before anything is streamed: '' (a new conversation) or
   * an id this store knows for `user`. Returns the characters of the history it carries (0 for a
   * new one); throws the 404 otherwise.
   */
  check(id: string, user: string): number {
    if (id === '') return 0;
    const c = this.byId.get(id);
    if (c === undefined || c.user !== user) {
      this.counts.unknown++;
      throw new HttpError(404, 'not_found', 'Conversation Not Exists.');
    }
    return c.chars;
  }

  /** A message of conversation `id` (created when new) with its query: counted, and the query added to the history. */
  message(id: string, user: string, query: string): void {
    let c = this.byId.get(id);
    if (c === undefined) {
      c = { user, turns: 0, chars: 0 };
      this.counts.created++;
    } else {
      this.byId.delete(id); // re-inserted below: the Map's order is the recency order
      this.counts.continued++;
    }
    c.turns++;
    c.chars += query.length;
    this.byId.set(id, c);
    if (this.byId.size > this.limit) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
  }

  /** The answer the conversation's last message got: added to its history. */
  answer(id: string, text: string): void {
    const c = this.byId.get(id);
    if (c !== undefined) c.chars += text.length;
  }

  /** Turns of conversation `id` so far (0 when unknown). */
  turns(id: string): number {
    return this.byId.get(id)?.turns ?? 0;
  }

  stats(): ConversationStats {
    return { ...this.counts, kept: this.byId.size };
  }
}
