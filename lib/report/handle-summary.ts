/**
 * The k6 `handleSummary` of build/sse.js: k6's usual end-of-test summary on stdout
 * (rendered locally in k6's compact layout by lib/report/report-stdout.ts: no jslib, so k6
 * fetches nothing at start and runs stay offline), plus three reports in
 * REPORTS_DIR — `benchmark_YYYYMMDD_HHMMSS.txt` (human-readable), `.json` (raw summary +
 * figures) and `.xml` (JUnit). The API key never reaches any output: the summary is
 * scrubbed before anything is rendered, and every output once more after.
 *
 * k6 writes each returned path itself (relative to its working directory) and does not
 * create directories: REPORTS_DIR must exist (the repository keeps `reports/`).
 */
import type { Config } from '../init/config.ts';
import { reportSettings, scrubText, scrubValue } from './redact.ts';
import { buildReport, renderReportJson } from './report-json.ts';
import { renderJunit } from './report-junit.ts';
import { reportFileNames } from './report-names.ts';
import { renderStdoutSummary } from './report-stdout.ts';
import { renderTextReport } from './report-text.ts';
import type { SummaryData } from './summary-data.ts';

export type HandleSummary = (data: SummaryData) => Record<string, string>;

/** What k6 prints without a handleSummary: its compact summary, colours only on a terminal without --no-color. */
function k6TextSummary(data: SummaryData): string {
  return renderStdoutSummary(data, { colors: data.state.isStdOutTTY && !data.options.noColor });
}

/** The reports of `data`, which is already scrubbed (and every output is scrubbed once more after). */
function reportOutputs(config: Config, data: SummaryData, generatedAt: Date): Record<string, string> {
  const names = reportFileNames(config.reportsDir, generatedAt);
  const report = buildReport(data, reportSettings(config), generatedAt);
  return {
    [names.txt]: renderTextReport(report),
    [names.json]: renderReportJson(report),
    [names.xml]: renderJunit(report),
  };
}

/**
 * `handleSummary` for k6: `export const handleSummary = createHandleSummary(config, () => new Date())`.
 * If building a report fails, stdout still carries k6's summary and stderr says why.
 */
export function createHandleSummary(config: Config, now: () => Date): HandleSummary {
  return (raw: SummaryData): Record<string, string> => {
    const data = scrubValue(raw, config.apiKey);
    const outputs: Record<string, string> = { stdout: k6TextSummary(data) };
    try {
      const reports = reportOutputs(config, data, now());
      Object.assign(outputs, reports);
      outputs['stdout'] += `Reports: ${Object.keys(reports).join(', ')}\n`;
    } catch (e) {
      outputs['stderr'] = `sse-bench: could not build the reports: ${e instanceof Error ? e.message : String(e)}\n`;
    }
    for (const [path, text] of Object.entries(outputs)) outputs[path] = scrubText(text, config.apiKey);
    return outputs;
  };
}
