/**
 * The real-k6 end-to-end files measure time (a 150 ms TTFE to 10 ms): vitest.config.ts must
 * keep them out of the parallel unit pass and run them afterwards, one file at a time.
 */
import { describe, expect, it } from 'vitest';
import config, { E2E_FILES } from '../vitest.config.ts';

interface ProjectTest {
  name?: string;
  include?: string[];
  exclude?: string[];
  fileParallelism?: boolean;
  sequence?: { groupOrder?: number };
}

const projects = (config.test?.projects ?? []) as { test: ProjectTest }[];
const project = (name: string): ProjectTest => {
  const found = projects.find((p) => p.test.name === name);
  if (!found) throw new Error(`no vitest project ${name}`);
  return found.test;
};

describe('vitest projects', () => {
  it('lists every timing-sensitive real-k6 file in the e2e project', () => {
    expect(E2E_FILES).toEqual(expect.arrayContaining(['test/e2e/**/*.test.ts', '**/*.e2e.test.ts', 'test/observability/execution-segment.test.ts']));
    expect(project('e2e').include).toEqual(E2E_FILES);
  });

  it('keeps them out of the unit pass', () => {
    expect(project('unit').exclude).toEqual(expect.arrayContaining(E2E_FILES));
  });

  it('runs the e2e files one at a time, after the unit project', () => {
    const e2e = project('e2e');
    expect(e2e.fileParallelism).toBe(false);
    expect(e2e.sequence?.groupOrder).toBeGreaterThan(project('unit').sequence?.groupOrder ?? 0);
  });
});
