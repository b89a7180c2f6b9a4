/**
 * Writes the provisioned Grafana dashboard JSON files from grafana/dashboards.ts and k6's web
 * dashboard configuration from grafana/web-dashboard.ts.
 * Usage: npm run dashboards   (run after changing lib/metric-defs.ts or the panels)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BACKENDS, DASHBOARD_FILES, dashboardFileText } from './dashboards.ts';
import { WEB_DASHBOARD_FILE, webDashboardFileText } from './web-dashboard.ts';

const files: [string, string][] = [
  ...BACKENDS.map((backend): [string, string] => [DASHBOARD_FILES[backend], dashboardFileText(backend)]),
  [WEB_DASHBOARD_FILE, webDashboardFileText()],
];
for (const [file, text] of files) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
