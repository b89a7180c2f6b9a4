import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, renderStdoutSummary } from './report-stdout.ts';
import { k6Summary } from './summary-data.fixture.ts';
import type { SummaryData, SummaryMetric } from './summary-data.ts';

/** k6's compact summary of the fixture, line for line (values checked by hand against k6's formats). */
const FIXTURE_SUMMARY = `  █ THRESHOLDS

    sse_errors{error_type:http_5xx}
    ✓ 'count<5' count=2

    sse_stream_success
    ✗ 'rate>0.99' rate=97.60%

    sse_ttfe
    ✓ 'p(95)<500' p(95)=48.25ms


  █ TOTAL RESULTS

    SSE
    sse_data_bytes........................: 1.2 MB 20 kB/s
    sse_errors............................: 6      0.096/s
      { error_type:connection_error }.....: 0      0/s
      { error_type:early_termination }....: 0      0/s
      { error_type:http_4xx }.............: 0      0/s
      { error_type:http_5xx }.............: 2      0.032/s
      { error_type:invalid_json }.........: 0      0/s
      { error_type:invalid_response }.....: 0      0/s
      { error_type:protocol_error }.......: 0      0/s
      { error_type:server_error_event }...: 0      0/s
      { error_type:timeout }..............: 4      0.064/s
    sse_event.............................: 5000   80/s
    sse_events_per_stream.................: avg=20      min=19      med=20      max=24      p(90)=21      p(95)=22      p(99)=24      count=244
    sse_goodput...........................: 80.00% 200 out of 250
    sse_open_time.........................: avg=12.5ms  min=1.2ms   med=10.1ms  max=63.9ms  p(90)=19.5ms  p(95)=23.75ms p(99)=50.4ms  count=248
    sse_stream_duration...................: avg=663.2ms min=523ms   med=645ms   max=812ms   p(90)=780.4ms p(95)=798.6ms p(99)=809.1ms count=244
    sse_stream_gap_max....................: avg=80.4ms  min=21ms    med=60.2ms  max=2s      p(90)=95.8ms  p(95)=140.5ms p(99)=1.5s    count=240
    sse_stream_gap_mean...................: avg=33.15ms min=20.2ms  med=30.1ms  max=201.4ms p(90)=45.8ms  p(95)=51.3ms  p(99)=90.7ms  count=240
    sse_stream_success....................: 97.60% 244 out of 250
    sse_streams_closed....................: 248    3.968/s
    sse_streams_opened....................: 250    4/s
    sse_ttfe..............................: avg=42.5ms  min=38ms    med=41ms    max=151ms   p(90)=47ms    p(95)=48.25ms p(99)=97.3ms  count=244
    sse_ttft..............................: avg=88.5ms  min=60.2ms  med=85ms    max=240.1ms p(90)=101.9ms p(95)=110.5ms p(99)=180.4ms count=244

    LLM
    llm_output_tokens.....................: 4392   70.272/s
    llm_time_per_output_token.............: avg=31.85ms min=22.6ms  med=32.2ms  max=48.8ms  p(90)=40.1ms  p(95)=42.3ms  p(99)=47.5ms  count=244
    llm_tokens_per_second.................: avg=31.4    min=20.5    med=31      max=44.2    p(90)=38.1    p(95)=40.2    p(99)=43.9    count=244

    DIFY
    dify_workflow_elapsed.................: avg=612.5ms min=480ms   med=600ms   max=790ms   p(90)=720ms   p(95)=751ms   p(99)=785ms   count=244

    HTTP
    http_req_duration.....................: avg=702.4ms min=180.2ms med=690.1ms max=1m0s    p(90)=810.5ms p(95)=905.2ms p(99)=1.21s   count=250
    http_reqs.............................: 250    4/s

    EXECUTION
    iteration_duration....................: avg=1.6s    min=612.2ms med=720.4ms max=1m0s    p(90)=2.21s   p(95)=2.29s   p(99)=2.41s   count=230
    iterations............................: 230    3.68/s
    vus...................................: 0      min=0          max=10
    vus_max...............................: 10     min=10         max=10

    NETWORK
    data_received.........................: 1.8 MB 30 kB/s
    data_sent.............................: 96 kB  1.5 kB/s`;

const ESC = '\x1b[';

function withMetrics(extra: Record<string, SummaryMetric>, base: SummaryData = k6Summary()): SummaryData {
  return { ...base, metrics: { ...base.metrics, ...extra } };
}

describe('renderStdoutSummary', () => {
  it("renders the fixture in k6's compact layout: thresholds that gate the run, then metrics by category", () => {
    const out = renderStdoutSummary(k6Summary());
    expect(out.split('\n')).toEqual(['', ...FIXTURE_SUMMARY.split('\n'), '', '']);
  });

  it('leaves the report-only thresholds out and drops the block when nothing else gates the run', () => {
    const data = k6Summary();
    const metrics: Record<string, SummaryMetric> = {};
    for (const [key, metric] of Object.entries(data.metrics)) {
      const kept = Object.entries(metric.thresholds ?? {}).filter(([expr]) => expr === 'count>=0');
      metrics[key] = kept.length > 0 ? { ...metric, thresholds: Object.fromEntries(kept) } : { type: metric.type, contains: metric.contains, values: metric.values };
    }
    const out = renderStdoutSummary({ ...data, metrics });
    expect(out).not.toContain('THRESHOLDS');
    expect(out).not.toContain('count>=0');
    expect(out.startsWith('\n  █ TOTAL RESULTS\n\n    SSE\n')).toBe(true);
  });

  it('lists a sub-metric threshold under its parent when the parent has thresholds too', () => {
    const base = k6Summary();
    const data = withMetrics({ sse_errors: { ...base.metrics['sse_errors']!, thresholds: { 'count<10': { ok: false } } } }, base);
    const lines = renderStdoutSummary(data).split('\n');
    const at = lines.indexOf('    sse_errors');
    expect(lines.slice(at, at + 5)).toEqual(['    sse_errors', "    ✗ 'count<10' count=6", '', '      {error_type:http_5xx}', "      ✓ 'count<5' count=2"]);
  });

  it("formats k6's docs example values: 45 requests in 6.858 s, a rate with no passes, a counter threshold on the rate", () => {
    const data: SummaryData = {
      ...k6Summary(),
      state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 6858.6 },
      metrics: {
        http_reqs: { type: 'counter', contains: 'default', values: { count: 45, rate: 6.561090283 }, thresholds: { 'rate>5': { ok: true } } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0, passes: 0, fails: 45 }, thresholds: { 'rate<0.01': { ok: true } } },
      },
    };
    const lines = renderStdoutSummary(data).split('\n');
    expect(lines).toContain("    ✓ 'rate<0.01' rate=0.00%");
    expect(lines).toContain("    ✓ 'rate>5' rate=6.56109/s");
    expect(lines).toContain('    http_req_failed...: 0.00% 0 out of 45');
    expect(lines).toContain('    http_reqs.........: 45    6.56109/s');
  });

  it('uses summaryTimeUnit for time trends when k6 was given one', () => {
    const data = k6Summary();
    const out = renderStdoutSummary({ ...data, options: { ...data.options, summaryTimeUnit: 's' } });
    expect(out).toContain("✓ 'p(95)<500' p(95)=0.05s");
    expect(out).toContain('avg=0.04s ');
  });

  it("shows checks as k6 does: totals, then each root-group check, failed ones with their share", () => {
    const base = k6Summary();
    const data: SummaryData = {
      ...withMetrics({ checks: { type: 'rate', contains: 'default', values: { rate: 0.9, passes: 9, fails: 1 } } }, base),
      root_group: {
        ...base.root_group,
        checks: [
          { name: 'status is 200', path: '::status is 200', id: 'a', passes: 5, fails: 0 },
          { name: 'saw the done event', path: '::saw the done event', id: 'b', passes: 4, fails: 1 },
        ],
      },
    };
    const lines = renderStdoutSummary(data).split('\n');
    const at = lines.indexOf('  █ TOTAL RESULTS');
    expect(lines.slice(at, at + 11)).toEqual([
      '  █ TOTAL RESULTS',
      '',
      '    checks_total.......: 10     0.16/s',
      '    checks_succeeded...: 90.00% 9 out of 10',
      '    checks_failed......: 10.00% 1 out of 10',
      '',
      '    ✓ status is 200',
      '    ✗ saw the done event',
      '      ↳  80% — ✓ 4 / ✗ 1',
      '',
      '    SSE',
    ]);
  });

  it('colours only when asked: green ✓, red ✗, cyan values, bold titles', () => {
    expect(renderStdoutSummary(k6Summary())).not.toContain(ESC);
    expect(renderStdoutSummary(k6Summary(), { colors: false })).not.toContain(ESC);
    const lines = renderStdoutSummary(k6Summary(), { colors: true }).split('\n');
    expect(lines).toContain(`  █ ${ESC}1mTHRESHOLDS${ESC}0m`);
    expect(lines).toContain(`    ${ESC}31m✗${ESC}0m ${ESC}37m'rate>0.99'${ESC}0m ${ESC}37mrate${ESC}0m=${ESC}36m97.60%${ESC}0m`);
    expect(lines).toContain(`    sse_streams_opened${ESC}2;37m${'.'.repeat(20)}:${ESC}0m ${ESC}36m250${ESC}0m    ${ESC}2;36m4/s${ESC}0m`);
    // Without the escapes, the coloured summary is the plain one.
    expect(lines.join('\n').replace(/\x1b\[[\d;]*m/g, '')).toBe(renderStdoutSummary(k6Summary()));
  });
});

describe('formatDuration (milliseconds, k6 rules: truncated, no trailing zeros)', () => {
  it.each([
    [0, '0s'],
    [0.000512, '512ns'],
    [0.0032, '3.2µs'],
    [0.2, '200µs'],
    [148.219, '148.21ms'],
    [999.999, '999.99ms'],
    [1200, '1.2s'],
    [59_999, '59.99s'],
    [60_000, '1m0s'],
    [123_000, '2m3s'],
    [3_605_000, '1h0m5s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatBytes (decimal units)', () => {
  it.each([
    [0, '0 B'],
    [9, '9 B'],
    [752, '752 B'],
    [3_300, '3.3 kB'],
    [96_000, '96 kB'],
    [1_843_200, '1.8 MB'],
    [2_500_000_000, '2.5 GB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
