/**
 * Double of `k6/execution`: the current VU, iteration and scenario of the simulated
 * run. Like k6, the vu/scenario fields are not available in the init context.
 */
import { runtime } from './runtime.ts';

function vuContext(): ReturnType<typeof runtime> {
  const rt = runtime();
  if (rt.phase === 'init') throw new Error('getting VU/scenario information in the init context is not supported');
  return rt;
}

const exec = {
  get vu() {
    const rt = vuContext();
    return {
      idInInstance: rt.vu,
      idInTest: rt.vu,
      iterationInInstance: rt.iterationInScenario,
      iterationInScenario: rt.iterationInScenario,
      tags: { ...rt.testTags, scenario: rt.scenario },
      metrics: { tags: {}, metadata: {} },
    };
  },
  get scenario() {
    const rt = vuContext();
    return {
      name: rt.scenario,
      executor: 'shared-iterations',
      startTime: 0,
      progress: 0,
      iterationInInstance: rt.iterationInTest,
      iterationInTest: rt.iterationInTest,
    };
  },
  get instance() {
    return { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 1, vusInitialized: 1, currentTestRunDuration: 0 };
  },
  test: {
    abort(message?: string): never {
      throw new Error(`test aborted${message ? `: ${message}` : ''}`);
    },
    options: {},
  },
};

export default exec;
