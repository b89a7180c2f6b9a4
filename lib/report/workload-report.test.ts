import { describe, expect, it } from 'vitest';
import { reportSettings } from './redact.ts';
import { buildReport, parseReportJson, renderReportJson } from './report-json.ts';
import { renderTextReport } from './report-text.ts';
import { k6Summary, testConfig } from './summary-data.fixture.ts';
import type { SummaryData, SummaryMetric } from './summary-data.ts';
import { NO_WORKLOAD } from '../init/config.ts';

const AT = new Date(Date.UTC(2026, 11, 8, 2, 0, 0));

const trend = (values: Record<string, number>, time = true): SummaryMetric => ({ type: 'trend', contains: time ? 'time' : 'default', values });
const counter = (count: number): SummaryMetric => ({ type: 'counter', contains: 'default', values: { count, rate: count / 10 } });

function withConversationMetrics(): SummaryData {
  const base = k6Summary();
  return {
    ...base,
    metrics: {
      ...base.metrics,
      'sse_ttft{turn:1}': trend({ med: 30, 'p(95)': 34, count: 4 }),
      'sse_ttft{turn:2}': trend({ med: 55.5, 'p(95)': 57, count: 4 }),
      'sse_ttfe{turn:1}': trend({ med: 29, 'p(95)': 33, count: 4 }),
      'sse_ttfe{turn:2}': trend({ med: 54, 'p(95)': 56, count: 3 }),
      sse_prompt_chars: trend({ min: 20, med: 300, avg: 350.25, 'p(95)': 900, max: 1000, count: 8 }, false),
      llm_answer_tokens: trend({ min: 32, med: 64, avg: 60, 'p(95)': 128, max: 128, count: 7 }, false),
      sse_conversations_started: counter(4),
      sse_conversations_completed: counter(3),
      sse_turns_per_conversation: trend({ avg: 1.75, count: 4 }, false),
    },
  };
}

const DATASET_INFO = { path: '/d.jsonl', records: 20, prompts: 35, order: 'sequential' as const, promptChars: { min: 21, mean: 350.5, max: 1671 }, withMaxTokens: 16 };

describe('the workload report', () => {
  it('is absent on a run without DATASET or TURNS (reports stay as they were)', () => {
    const report = buildReport(k6Summary(), reportSettings(testConfig()), AT);
    expect(report.workload).toBeUndefined();
    expect(report.settings.workload).toBeUndefined();
    expect(renderTextReport(report)).not.toContain('Workload');
  });

  it('TURNS=2 with a dataset: dataset, lengths, conversations and TTFT/TTFE by turn, in the JSON and the text', () => {
    const config = testConfig({ target: 'dify-chat', workload: { ...NO_WORKLOAD, dataset: '/d.jsonl', turns: 2, thinkTimeMs: [1000, 3000] }, datasetInfo: DATASET_INFO });
    const report = buildReport(withConversationMetrics(), reportSettings(config), AT);
    expect(report.settings.workload).toEqual({ dataset: DATASET_INFO, turns: 2, thinkTime: '1s-3s' });
    expect(report.workload).toEqual({
      dataset: DATASET_INFO,
      turns: 2,
      thinkTime: '1s-3s',
      promptChars: { count: 8, min: 20, med: 300, avg: 350.25, p95: 900, max: 1000 },
      answerTokens: { count: 7, min: 32, med: 64, avg: 60, p95: 128, max: 128 },
      conversations: { started: 4, completed: 3, meanTurns: 1.75 },
      byTurn: [
        { turn: '1', streams: 4, ttftMed: 30, ttftP95: 34, ttfeMed: 29, ttfeP95: 33 },
        { turn: '2', streams: 3, ttftMed: 55.5, ttftP95: 57, ttfeMed: 54, ttfeP95: 56 },
      ],
    });
    const text = renderTextReport(report).split('\n');
    const start = text.indexOf('💬 Workload:');
    expect(text.slice(start, text.indexOf('', start))).toEqual([
      '💬 Workload:',
      expect.stringMatching(/^ {2}Dataset: +\/d\.jsonl \(20 records, 35 prompts, sequential, 16 with max_tokens\)$/),
      expect.stringMatching(/^ {2}Dataset prompts: +min 21 · mean 350\.5 · max 1671 chars$/),
      expect.stringMatching(/^ {2}Prompts sent: +min 20 · p50 300 · avg 350\.3 · p95 900 · max 1000 chars \(8 samples\)$/),
      expect.stringMatching(/^ {2}Answers received: +min 32 · p50 64 · avg 60 · p95 128 · max 128 tokens \(7 samples\)$/),
      expect.stringMatching(/^ {2}Conversations: +4 started, 3 completed; 1\.75 of 2 turns on average; think time 1s-3s$/),
      expect.stringMatching(/^ {2}Turn 1: +TTFT p50 30 ms · p95 34 ms; TTFE p50 29 ms · p95 33 ms \(4 streams\)$/),
      expect.stringMatching(/^ {2}Turn 2: +TTFT p50 55\.5 ms · p95 57 ms; TTFE p50 54 ms · p95 56 ms \(3 streams\)$/),
    ]);
    // A saved report reads back with its workload.
    expect(parseReportJson(renderReportJson(report), 'r.json').workload).toEqual(report.workload);
  });

  it('DATASET alone: no conversation rows', () => {
    const config = testConfig({ workload: { ...NO_WORKLOAD, dataset: '/d.jsonl' }, datasetInfo: DATASET_INFO });
    const report = buildReport(withConversationMetrics(), reportSettings(config), AT);
    expect(report.workload?.conversations).toBeNull();
    expect(report.workload?.byTurn).toEqual([]);
  });

  it('a report whose workload is malformed is refused, naming the field', () => {
    const config = testConfig({ workload: { ...NO_WORKLOAD, dataset: '/d.jsonl' }, datasetInfo: DATASET_INFO });
    const json = JSON.parse(renderReportJson(buildReport(k6Summary(), reportSettings(config), AT))) as Record<string, unknown>;
    json['workload'] = { turns: 'two', byTurn: [] };
    expect(() => parseReportJson(JSON.stringify(json), 'r.json')).toThrow('r.json: workload.turns: expected a number');
  });
});
