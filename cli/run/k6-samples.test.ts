import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addCsvLine, csvSampleOutput, csvTimestampMs, readCsvSamples } from './k6-samples.ts';
import { WindowCollector } from './latency-windows.ts';

/** Lines as k6 v2.2.0 and v1.3.0 write them with K6_CSV_TIME_FORMAT=unix_milli. */
const CSV = [
  'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata',
  'sse_event,1796693813388,1.000000,,,,,,,,,stream,,200,,,http://127.0.0.1:5001/v1/workflows/run,target=dify-workflow,',
  'sse_ttfe,1796693813388,21.500000,,,,,,,,,stream,,,,,,target=dify-workflow,',
  'sse_ttft,1796693814100,41.000000,,,,,,,,,stream,,,,,,target=dify-workflow,',
  'sse_stream_duration,1796693819000,500.000000,,,,,,,,,stream,,,,,,target=dify-workflow,',
  'sse_ttfe_other,1796693813388,99,,,',
].join('\n');

describe('k6 CSV samples', () => {
  it('asks k6 for millisecond timestamps', () => {
    expect(csvSampleOutput('/tmp/x.csv')).toEqual({ args: ['--out', 'csv=/tmp/x.csv'], env: { K6_CSV_TIME_FORMAT: 'unix_milli' } });
  });

  it('reads every timestamp format k6 writes', () => {
    expect(csvTimestampMs('1796693813')).toBe(1796693813000);
    expect(csvTimestampMs('1796693813388')).toBe(1796693813388);
    expect(csvTimestampMs('1796693813388123')).toBe(1796693813388.123);
    expect(csvTimestampMs('1796693813388123456')).toBeCloseTo(1796693813388.1235, 2);
    expect(csvTimestampMs('2026-12-08T01:40:00.5Z')).toBe(Date.parse('2026-12-08T01:40:00.500Z'));
  });

  it('keeps only the charted trends’ lines, from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k6-samples-'));
    try {
      writeFileSync(join(dir, 's.csv'), CSV);
      const c = new WindowCollector(1796693813000, 5);
      await readCsvSamples(join(dir, 's.csv'), c);
      const w = c.result();
      expect(w?.metrics.ttfe).toMatchObject({ n: [1, 0], p50: [21.5, null] });
      expect(w?.metrics.ttft).toMatchObject({ n: [1, 0], p50: [41, null] });
      expect(w?.metrics.streamDuration).toMatchObject({ n: [0, 1], p50: [null, 500] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores a truncated line', () => {
    const c = new WindowCollector(0, 5);
    addCsvLine('sse_ttfe,17966', c);
    expect(c.result()).toBeNull();
  });
});
