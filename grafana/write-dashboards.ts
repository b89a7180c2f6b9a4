/**
 * Writes the provisioned dashboard JSON files from grafana/dashboards.ts.
 * Usage: npx tsx grafana/write-dashboards.ts   (run after changing lib/metric-defs.ts or the panels)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BACKENDS, DASHBOARD_FILES, dashboardFileText } from './dashboards.ts';

for (const backend of BACKENDS) {
  const file = DASHBOARD_FILES[backend];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, dashboardFileText(backend));
  console.log(`wrote ${file}`);
}
