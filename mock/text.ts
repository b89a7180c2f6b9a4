import type { Rng } from './rng.ts';

/** Words the mock "model" streams, one per token, each with its leading space. */
const WORDS = (
  'the a of and to in is that it for on with as was by are this be from at or an which can model data learning ' +
  'energy network neural quantum system systems computing artificial intelligence machine power renewable solar wind ' +
  'training layers weights signals patterns qubits states information process processes results example examples ' +
  'used uses using many more most also new such these those through between while when where how what why'
).split(' ');

/**
 * Chinese tokens for `--text cjk`: one to three characters each, sent as raw UTF-8 inside the
 * JSON (as OpenAI, vLLM and Dify's orjson do), not as `\uXXXX` escapes.
 */
const CJK_WORDS = (
  '人工 智能 是 的 机器 学习 模型 数据 神经 网络 训练 能源 系统 计算 量子 信息 过程 结果 例如 使用 ' +
  '可以 通过 之间 以及 因为 所以 如何 什么 为什么 可再生 太阳能 风能 算法 参数 权重 信号 模式 状态 处理 方法'
).split(' ');

/** What the mock "model" writes: ASCII English words, or Chinese (`--text`). */
export const TEXT_KINDS = ['ascii', 'cjk'] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

export interface TokenSet {
  readonly tokens: readonly string[];
  /** The same tokens already JSON-encoded (quotes included): no JSON.stringify per event. */
  readonly json: readonly string[];
  /** Every encoded token is ASCII (its byte length is its length). */
  readonly ascii: boolean;
}

function tokenSet(tokens: readonly string[]): TokenSet {
  const json = tokens.map((t) => JSON.stringify(t));
  return { tokens, json, ascii: json.every((t) => /^[\x00-\x7f]*$/.test(t)) };
}

export const TOKEN_SETS: Readonly<Record<TextKind, TokenSet>> = {
  ascii: tokenSet(WORDS.map((w) => ` ${w}`)),
  cjk: tokenSet(CJK_WORDS),
};


/** A token index: the same draw for both texts, so a seed gives the same stream shape in each. */
export function pickToken(rng: Rng, set: TokenSet = TOKEN_SETS.ascii): number {
  return rng.uint32() % set.tokens.length;
}

/** A rough prompt-token estimate for usage figures (4 characters per token). */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
