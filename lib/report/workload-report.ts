/**
 * The workload part of a report, for runs with DATASET or TURNS > 1: which dataset (file, records,
 * prompts, the prompt lengths it holds), the prompt lengths actually sent (`sse_prompt_chars`) and
 * answer lengths received (`llm_answer_tokens`), and with TURNS > 1 the conversations and TTFT/TTFE
 * by turn (the `turn` sub-metrics the report-only thresholds make k6 compute). Pure arithmetic on
 * k6's summary; rendered by the text report and the bench CLI's HTML report.
 */
import type { DatasetInfo } from '../init/dataset.ts';
import { METRICS } from '../metric-defs.ts';
import { turnTagValues } from '../turn-tags.ts';
import type { ReportSettings } from './redact.ts';
import { isRecord, metricValue, type SummaryData } from './summary-data.ts';

/** A distribution as reports show it; `null` fields when the summary lacks the statistic. */
export interface Distribution {
  readonly count: number;
  readonly min: number | null;
  readonly med: number | null;
  readonly avg: number | null;
  readonly p95: number | null;
  readonly max: number | null;
}

/** TTFT and TTFE of one `turn` tag value (ms). */
export interface TurnLatency {
  readonly turn: string;
  readonly streams: number;
  readonly ttftMed: number | null;
  readonly ttftP95: number | null;
  readonly ttfeMed: number | null;
  readonly ttfeP95: number | null;
}

export interface WorkloadReport {
  readonly dataset: DatasetInfo | null;
  readonly turns: number;
  /** THINK_TIME as given ('' = none). */
  readonly thinkTime: string;
  /** Characters of the prompts sent, one per request; `null` without samples. */
  readonly promptChars: Distribution | null;
  /** Output tokens of the answers received, one per stream; `null` without samples. */
  readonly answerTokens: Distribution | null;
  /** TURNS > 1 only (else `null`). */
  readonly conversations: { readonly started: number; readonly completed: number; readonly meanTurns: number | null } | null;
  /** TURNS > 1: one row per `turn` tag value, in order (empty otherwise). */
  readonly byTurn: readonly TurnLatency[];
}

function distribution(data: SummaryData, name: string): Distribution | null {
  const count = metricValue(data, name, 'count');
  const avg = metricValue(data, name, 'avg');
  if (avg === null && (count === null || count === 0)) return null;
  return {
    count: count ?? 0,
    min: metricValue(data, name, 'min'),
    med: metricValue(data, name, 'med'),
    avg,
    p95: metricValue(data, name, 'p(95)'),
    max: metricValue(data, name, 'max'),
  };
}

/** The workload report of a run whose settings carry a workload; `null` for a run without DATASET or TURNS. */
export function workloadReport(data: SummaryData, settings: ReportSettings): WorkloadReport | null {
  const w = settings.workload;
  if (w === undefined) return null;
  const multi = w.turns > 1;
  const byTurn: TurnLatency[] = [];
  if (multi) {
    for (const turn of turnTagValues(w.turns)) {
      const ttft = `${METRICS.ttft.name}{turn:${turn}}`;
      const ttfe = `${METRICS.ttfe.name}{turn:${turn}}`;
      byTurn.push({
        turn,
        streams: metricValue(data, ttfe, 'count') ?? 0,
        ttftMed: metricValue(data, ttft, 'med'),
        ttftP95: metricValue(data, ttft, 'p(95)'),
        ttfeMed: metricValue(data, ttfe, 'med'),
        ttfeP95: metricValue(data, ttfe, 'p(95)'),
      });
    }
  }
  return {
    dataset: w.dataset,
    turns: w.turns,
    thinkTime: w.thinkTime,
    promptChars: distribution(data, METRICS.promptChars.name),
    answerTokens: distribution(data, METRICS.answerTokens.name),
    conversations: multi
      ? {
          started: metricValue(data, METRICS.conversationsStarted.name, 'count') ?? 0,
          completed: metricValue(data, METRICS.conversationsCompleted.name, 'count') ?? 0,
          meanTurns: metricValue(data, METRICS.turnsPerConversation.name, 'avg'),
        }
      : null,
    byTurn,
  };
}

/** Why a report's `workload` cannot be read, or `null` (the fields the renderers use). */
export function workloadProblem(value: unknown): { field: string; problem: string } | null {
  if (!isRecord(value)) return { field: 'workload', problem: 'expected an object' };
  if (typeof value['turns'] !== 'number') return { field: 'workload.turns', problem: 'expected a number' };
  if (!Array.isArray(value['byTurn'])) return { field: 'workload.byTurn', problem: 'expected an array' };
  return null;
}

const num = (v: number | null, digits = 0, unit = ''): string => (v === null ? 'n/a' : `${Number(v.toFixed(digits))}${unit}`);

const distText = (d: Distribution | null, unit: string): string =>
  d === null ? 'n/a (no samples)' : `min ${num(d.min)} · p50 ${num(d.med)} · avg ${num(d.avg, 1)} · p95 ${num(d.p95)} · max ${num(d.max)} ${unit} (${d.count} samples)`;

/** The report's workload lines, `[label, value]` pairs in display order (text and HTML reports). */
export function workloadRows(w: WorkloadReport): [string, string][] {
  const rows: [string, string][] = [];
  const d = w.dataset;
  if (d !== null) {
    rows.push(['Dataset', `${d.path} (${d.records} records, ${d.prompts} prompts, ${d.order}${d.withMaxTokens > 0 ? `, ${d.withMaxTokens} with max_tokens` : ''})`]);
    rows.push(['Dataset prompts', `min ${d.promptChars.min} · mean ${d.promptChars.mean} · max ${d.promptChars.max} chars`]);
  }
  rows.push(['Prompts sent', distText(w.promptChars, 'chars')]);
  rows.push(['Answers received', distText(w.answerTokens, 'tokens')]);
  if (w.conversations !== null) {
    const c = w.conversations;
    rows.push(['Conversations', `${c.started} started, ${c.completed} completed; ${num(c.meanTurns, 2)} of ${w.turns} turns on average${w.thinkTime !== '' ? `; think time ${w.thinkTime}` : ''}`]);
    for (const t of w.byTurn) {
      rows.push([`Turn ${t.turn}`, `TTFT p50 ${num(t.ttftMed, 1, ' ms')} · p95 ${num(t.ttftP95, 1, ' ms')}; TTFE p50 ${num(t.ttfeMed, 1, ' ms')} · p95 ${num(t.ttfeP95, 1, ' ms')} (${t.streams} streams)`]);
    }
  }
  return rows;
}
