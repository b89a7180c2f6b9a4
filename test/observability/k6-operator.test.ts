import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../lib/init/config.ts';
import { ENV_VARS, type EnvVarDef } from '../../lib/env-vars.ts';
import { PROMETHEUS_TREND_STATS } from '../../grafana/dashboards.ts';
import { NATIVE_HISTOGRAM_ENV, PROMETHEUS_NATIVE_HISTOGRAM_FLAG } from '../../lib/prometheus-rw.ts';

interface EnvEntry {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface TestRun {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    parallelism: number;
    script: { configMap: { name: string; file: string } };
    arguments: string;
    initializer?: { image: string; env: EnvEntry[] };
    runner: { image: string; env: EnvEntry[] };
  };
}

const MANIFEST = 'deploy/k6-operator/testrun.yaml';
const testRun = parse(readFileSync(MANIFEST, 'utf8')) as TestRun;
/** k6's own settings the manifest may set (everything else must be a suite variable). */
const K6_SETTINGS = ['K6_NO_USAGE_REPORT', 'K6_PROMETHEUS_RW_SERVER_URL', 'K6_PROMETHEUS_RW_TREND_STATS', NATIVE_HISTOGRAM_ENV];
const suiteVars = new Map<string, EnvVarDef>(ENV_VARS.map((v) => [v.name, v]));

describe(MANIFEST, () => {
  const env = testRun.spec.runner.env;

  it('is a k6-operator TestRun of the bundled script from a ConfigMap, split over parallel runners', () => {
    expect(testRun.apiVersion).toBe('k6.io/v1alpha1');
    expect(testRun.kind).toBe('TestRun');
    expect(Number.isInteger(testRun.spec.parallelism) && testRun.spec.parallelism > 1).toBe(true);
    expect(testRun.spec.script.configMap.file).toBe('sse.js');
    const args = testRun.spec.arguments.split(/\s+/);
    expect(args).toContain('--no-usage-report');
    expect(testRun.spec.arguments).toContain('--out experimental-prometheus-rw');
    expect(testRun.spec.arguments).toMatch(/--tag testid=\S+/);
  });

  it('every env name is a suite variable (lib/env-vars.ts) or a k6 setting listed here', () => {
    for (const e of env) expect(suiteVars.has(e.name) || K6_SETTINGS.includes(e.name), e.name).toBe(true);
    for (const name of ['BASE_URL', 'TARGET', 'PROFILE', 'THRESHOLDS']) expect(env.map((e) => e.name)).toContain(name);
  });

  it('values the suite checks are accepted values; the API key comes from a Secret, never inline', () => {
    for (const e of env) {
      const accepted = suiteVars.get(e.name)?.accepted;
      if (accepted !== undefined && e.value !== undefined) expect(accepted as readonly string[], e.name).toContain(e.value);
    }
    const key = env.find((e) => e.name === 'API_KEY');
    expect(key?.value).toBeUndefined();
    expect(key?.valueFrom?.secretKeyRef?.name).toBeTruthy();
  });

  it('the suite’s config loader accepts the manifest’s settings', () => {
    const plain = Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    try {
      expect(loadConfig(plain).profile).toBe(plain.PROFILE);
    } catch (err) {
      if (err instanceof ConfigError) throw new Error(`manifest env rejected: ${err.message}`);
      throw err;
    }
  });

  it('writes Trends as native histograms (and names the Prometheus flag they need), keeps the trend stats for the fallback; the initializer gets the same env', () => {
    expect(env.find((e) => e.name === NATIVE_HISTOGRAM_ENV)?.value).toBe('true');
    expect(readFileSync(MANIFEST, 'utf8')).toContain(PROMETHEUS_NATIVE_HISTOGRAM_FLAG);
    expect(env.find((e) => e.name === 'K6_PROMETHEUS_RW_TREND_STATS')?.value).toBe(PROMETHEUS_TREND_STATS);
    expect(testRun.spec.initializer?.env).toEqual(env);
  });

  it('runs k6 2.x with k6/x/sse built in: the image of deploy/k6-operator/Dockerfile, no 1.x-only settings', () => {
    const image = `REGISTRY/k6-sse:${DOCKER_K6_TAG}`;
    expect(testRun.spec.runner.image).toBe(image);
    expect(testRun.spec.initializer?.image).toBe(image);
    expect(readFileSync(MANIFEST, 'utf8')).toContain(`docker build -t ${image} deploy/k6-operator`);
    expect(env.map((e) => e.name)).not.toContain('K6_ENABLE_COMMUNITY_EXTENSIONS'); // removed in k6 2.0
  });
});

const DOCKERFILE = 'deploy/k6-operator/Dockerfile';
const dockerfile = readFileSync(DOCKERFILE, 'utf8');
const arg = (name: string): string => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(dockerfile)?.[1] ?? '';
/** The k6 of the final stage, `FROM grafana/k6:<tag>`. */
const DOCKER_K6_TAG = /^FROM grafana\/k6:(\S+)$/m.exec(dockerfile)?.[1] ?? '';

describe(DOCKERFILE, () => {
  it('builds k6 2.x with xk6-sse main (the branch built against go.k6.io/k6/v2) on the same k6 version as its base image', () => {
    expect(Number(DOCKER_K6_TAG.split('.')[0])).toBe(2);
    expect(arg('K6_VERSION')).toBe(`v${DOCKER_K6_TAG}`);
    expect(arg('XK6_SSE')).toBe('main');
    expect(dockerfile).toContain('xk6 build "$K6_VERSION" --with "github.com/phymbert/xk6-sse@$XK6_SSE"');
    expect(dockerfile).toContain("grep -q 'k6/x/sse \\[js\\]'"); // the build fails when the extension was left out
    expect(dockerfile).toMatch(/^COPY --from=build \/tmp\/k6 \/usr\/bin\/k6$/m);
  });

  it('docs/distributed.md creates the ConfigMap the manifest reads, from build/sse.js', () => {
    const doc = readFileSync('docs/distributed.md', 'utf8');
    const { name, file } = testRun.spec.script.configMap;
    expect(doc).toContain(`kubectl create configmap ${name} --from-file=${file}=build/sse.js`);
    expect(doc).toContain(`kubectl apply -f ${MANIFEST}`);
    expect(doc).toContain('npx tsx deploy/k6-operator/gate.ts');
  });
});

describe('build/sse.js fits in a ConfigMap', () => {
  it.skipIf(!existsSync('build/sse.js'))('is under the 1 MiB ConfigMap limit (run `npm run build` first)', () => {
    expect(statSync('build/sse.js').size).toBeLessThan(1024 * 1024);
  });
});
