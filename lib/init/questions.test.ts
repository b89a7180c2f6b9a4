import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from './config';
import { DEFAULT_QUESTIONS, loadQuestions, parseQuestions } from './questions';

function withFile(questionsFile: string): Config {
  return { ...loadConfig({}), questionsFile };
}

describe('loadQuestions', () => {
  it('gives the seed’s five questions without QUESTIONS_FILE, reading nothing', () => {
    const questions = loadQuestions(loadConfig({}), (p) => {
      throw new Error(`read ${p}`);
    });
    expect(questions).toEqual([
      'What is artificial intelligence?',
      'Explain quantum computing',
      'What is machine learning?',
      'How do neural networks work?',
      'What is renewable energy?',
    ]);
    questions.push('changed');
    expect(DEFAULT_QUESTIONS).toHaveLength(5);
  });

  it('reads the resolved path once, one question per non-blank line', () => {
    const reads: string[] = [];
    const config = loadConfig({ QUESTIONS_FILE: 'q.txt', PWD: '/data' });
    const questions = loadQuestions(config, (p) => {
      reads.push(p);
      return '\uFEFFFirst?\r\n\n  Second one  \n\t\nThird\r';
    });
    expect(reads).toEqual(['/data/q.txt']);
    expect(questions).toEqual(['First?', 'Second one', 'Third']);
  });

  it('unreadable file → ConfigError naming QUESTIONS_FILE', () => {
    const read = (): string => {
      throw new Error('open /q.txt: no such file or directory');
    };
    expect(() => loadQuestions(withFile('/q.txt'), read)).toThrow(ConfigError);
    expect(() => loadQuestions(withFile('/q.txt'), read)).toThrow(
      'QUESTIONS_FILE: cannot read "/q.txt" (open /q.txt: no such file or directory); expected a text file with one question per line',
    );
  });

  it('file without questions → ConfigError naming QUESTIONS_FILE', () => {
    expect(() => loadQuestions(withFile('/q.txt'), () => ' \n\r\n\t')).toThrow(
      'QUESTIONS_FILE: "/q.txt" has no questions; expected one question per non-blank line',
    );
  });
});

describe('parseQuestions', () => {
  it('splits on LF, CRLF and CR', () => {
    expect(parseQuestions('a\nb\r\nc\rd')).toEqual(['a', 'b', 'c', 'd']);
  });
});
