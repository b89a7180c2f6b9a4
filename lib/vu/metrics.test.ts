import { afterEach, expect, test } from 'vitest';
import { endRun, startRun } from '../../test/k6-harness.ts';
import { runtime } from '../../test/doubles/runtime.ts';
import { METRICS, type MetricKey } from '../metric-defs.ts';
import { createSuiteMetrics } from '../init/metric-specs.ts';
import { K6_METRIC_FACTORY, metricsSink } from './metrics.ts';

afterEach(endRun);

test('every metric of METRICS is created with its k6 type', () => {
  startRun();
  const m = createSuiteMetrics(K6_METRIC_FACTORY);
  expect(Object.keys(m).sort()).toEqual(Object.keys(METRICS).sort());
  const types = runtime().metricTypes;
  for (const def of Object.values(METRICS)) expect(types.get(def.name)).toBe(def.kind);
  const made = runtime().metricObjects;
  for (const key of Object.keys(METRICS) as MetricKey[]) expect(made.find((o) => o.name === METRICS[key].name)?.isTime).toBe(METRICS[key].isTime);
});

test('the sink passes a tag object only when the sample has one', () => {
  startRun();
  const sink = metricsSink(createSuiteMetrics(K6_METRIC_FACTORY));
  const rt = runtime();
  rt.phase = 'vu';
  rt.scenario = 'stream';
  sink.add('ttfe', 42);
  sink.add('errors', 1, { error_type: 'timeout' });
  expect(rt.samples.map((s) => [s.metric, s.value, s.tags])).toEqual([
    ['sse_ttfe', 42, { scenario: 'stream' }],
    ['sse_errors', 1, { scenario: 'stream', error_type: 'timeout' }],
  ]);
});

test('docs/metrics-and-faults.md lists every metric with its type and extra tag', async () => {
  const { readFileSync } = await import('node:fs');
  const doc = readFileSync(new URL('../../docs/metrics-and-faults.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| `[a-z_]+` \| (Trend|Counter|Rate)/.test(l));
  const label = (kind: string, isTime: boolean): string => (kind === 'trend' ? (isTime ? 'Trend (ms)' : 'Trend') : kind === 'counter' ? 'Counter' : 'Rate');
  expect(rows.map((r) => r.split('|')[1]!.trim().replace(/`/g, '')).sort()).toEqual(Object.values(METRICS).map((d) => d.name).sort());
  for (const def of Object.values(METRICS)) {
    const cells = rows.find((r) => r.startsWith(`| \`${def.name}\` |`))!.split('|').map((c) => c.trim());
    expect([cells[2], cells[3]]).toEqual([label(def.kind, def.isTime), def.extraTags.map((t) => `\`${t}\``).join(', ')]);
  }
});
