/**
 * The questions the scenarios send: QUESTIONS_FILE (one per non-blank line,
 * read once in the init context and shared through a SharedArray), else the
 * seed suite's five. Pure: the file is read through the injected `readFile`
 * (k6's `open` in the init context).
 */

import { ConfigError, type Config } from './config';

/** The seed's questions (locust_sse_benchmark.py). */
export const DEFAULT_QUESTIONS: readonly string[] = [
  'What is artificial intelligence?',
  'Explain quantum computing',
  'What is machine learning?',
  'How do neural networks work?',
  'What is renewable energy?',
];

/** One question per line; surrounding white space, blank lines and a BOM are dropped. */
export function parseQuestions(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function loadQuestions(config: Config, readFile: (path: string) => string): string[] {
  const path = config.questionsFile;
  if (path === '') return [...DEFAULT_QUESTIONS];
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError('QUESTIONS_FILE', `cannot read "${path}" (${error instanceof Error ? error.message : String(error)}); expected a text file with one question per line`);
  }
  const questions = parseQuestions(text);
  if (questions.length === 0) {
    throw new ConfigError('QUESTIONS_FILE', `"${path}" has no questions; expected one question per non-blank line`);
  }
  return questions;
}
