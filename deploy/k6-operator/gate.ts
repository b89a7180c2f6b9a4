/**
 * Gates a distributed run on the series every generator pushed to Prometheus (see
 * gate-checks.ts for how each threshold is combined across generators: merged native
 * histograms when the run wrote them, else the worst generator's trend stats). Exits like k6:
 * 0 = all thresholds pass, 99 = a threshold crossed, 1 = usage or query error.
 *
 *   npx tsx deploy/k6-operator/gate.ts --prometheus http://prometheus:9090 --testid run-42 [--thresholds default] [--window 6h]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PROMETHEUS_TREND_STATS } from '../../grafana/dashboards.ts';
import { validateThresholds, type Thresholds } from '../../lib/init/thresholds.ts';
import { evaluate, gateChecks } from './gate-checks.ts';

/** A bundled set by name or a JSON file, checked as the script checks THRESHOLDS. */
function loadThresholdsFile(spec: string): Thresholds {
  const path = spec.includes('/') || spec.endsWith('.json') ? spec : new URL(`../../thresholds/${spec}.json`, import.meta.url).pathname;
  return validateThresholds(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      prometheus: { type: 'string' },
      testid: { type: 'string' },
      thresholds: { type: 'string', default: 'default' },
      window: { type: 'string', default: '6h' },
      'trend-stats': { type: 'string', default: process.env.K6_PROMETHEUS_RW_TREND_STATS ?? PROMETHEUS_TREND_STATS },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true || values.prometheus === undefined || values.testid === undefined) {
    console.log('usage: npx tsx deploy/k6-operator/gate.ts --prometheus URL --testid ID [--thresholds default|strict|FILE.json] [--window 6h] [--trend-stats "p(50),p(95),…"]');
    return values.help === true ? 0 : 1;
  }
  const stats = values['trend-stats'].split(',').map((s) => s.trim());
  const checks = gateChecks(loadThresholdsFile(values.thresholds), values.testid, values.window, stats);
  const results = await evaluate(values.prometheus, checks);
  for (const r of results) {
    const verdict = r.value === null ? 'no data' : `${r.value} ${r.op} ${r.limit}, ${r.source ?? ''}`;
    console.log(`${r.ok ? '✓' : '✗'} ${r.threshold}  (${verdict})  ${r.shown}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(failed === 0 ? `all ${results.length} thresholds pass across generators` : `${failed} of ${results.length} thresholds crossed`);
  return failed === 0 ? 0 : 99;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`gate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
