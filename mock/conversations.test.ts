import { describe, expect, it } from 'vitest';
import { ConversationStore } from './conversations.ts';
import { HttpError } from './http.ts';
import { defaultOptions } from './options.ts';
import { withRequestContext } from './server.ts';

describe('ConversationStore', () => {
  it('a new conversation carries no history; each message and answer adds to it', () => {
    const store = new ConversationStore();
    expect(store.check('', 'u')).toBe(0);
    store.message('c1', 'u', 'Hello'); // 5
    store.answer('c1', 'Hi there'); // 8
    expect(store.check('c1', 'u')).toBe(13);
    store.message('c1', 'u', 'More?');
    expect(store.turns('c1')).toBe(2);
    expect(store.stats()).toEqual({ created: 1, continued: 1, unknown: 0, kept: 1 });
  });

  it('an unknown id, or another user\'s, is Dify\'s 404 not_found "Conversation Not Exists."', () => {
    const store = new ConversationStore();
    store.message('c1', 'u', 'q');
    for (const [id, user] of [['nope', 'u'], ['c1', 'v']] as const) {
      let error: unknown;
      try {
        store.check(id, user);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'Conversation Not Exists.' });
    }
    expect(store.stats().unknown).toBe(2);
  });

  it('keeps at most `limit` conversations, forgetting the least recently used', () => {
    const store = new ConversationStore(2);
    store.message('a', 'u', 'q');
    store.message('b', 'u', 'q');
    store.message('a', 'u', 'q'); // a is now the most recent
    store.message('c', 'u', 'q'); // b goes
    expect(store.stats().kept).toBe(2);
    expect(store.turns('a')).toBe(2);
    expect(store.turns('b')).toBe(0);
    expect(() => store.check('b', 'u')).toThrow('Conversation Not Exists.');
  });
});

describe('withRequestContext', () => {
  const o = { ...defaultOptions(), ttfeMs: 20, ttftMs: 100, tokens: 50 };

  it('returns the options themselves when there is no prefill cost and no max_tokens', () => {
    expect(withRequestContext(o, { chars: 5000, maxTokens: null })).toBe(o);
  });

  it('adds the prefill cost per 1,000 characters to TTFT', () => {
    const p = withRequestContext({ ...o, prefillMsPer1kChars: 10 }, { chars: 2500, maxTokens: null });
    expect(p).toMatchObject({ ttfeMs: 20, ttftMs: 125, tokens: 50 });
  });

  it('takes the answer length from max_tokens', () => {
    expect(withRequestContext(o, { chars: 10, maxTokens: 7 })).toMatchObject({ ttftMs: 100, tokens: 7 });
  });
});
