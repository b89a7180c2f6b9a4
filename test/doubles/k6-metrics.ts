/**
 * Double of `k6/metrics`: records every sample (with k6's merged tags) in the shared
 * runtime. Like k6: metrics are declared in the init context only, names follow k6's
 * rules, a name may be declared again only with the same type, and `sse_event` already
 * exists (the extension's counter). Stricter than k6 where k6 would silently record
 * garbage: a non-finite value or a non-string tag value throws. Like k6's, a metric object has two
 * own properties, `name` and `add`, and `add` is bound to its metric (k6 sets it as a native function
 * of the metric): it can be called detached.
 */
import { recordSample, runtime, type MetricType } from './runtime.ts';

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/; // k6 v1's rule

type TagMap = { [name: string]: string };

abstract class Metric {
  readonly name: string;
  readonly isTime: boolean;

  constructor(name: string, isTime: boolean, private readonly type: MetricType) {
    const rt = runtime();
    if (rt.phase !== 'init') throw new Error('metrics must be declared in the init context');
    if (!NAME.test(name)) throw new Error(`invalid metric name: '${name}'`);
    const existing = rt.metricTypes.get(name);
    if (existing !== undefined && existing !== type) {
      throw new Error(`metric '${name}' already exists but with type ${existing}, instead of ${type}`);
    }
    if (name === 'sse_event') throw new Error("metric 'sse_event' is the k6/x/sse extension's own counter");
    rt.metricTypes.set(name, type);
    rt.metricObjects.push({ vu: rt.vu, name, isTime });
    this.name = name;
    this.isTime = isTime;
  }

  readonly add = (value: number | boolean, tags?: TagMap): void => {
    if (runtime().phase === 'init') throw new Error('using metrics in the init context is not supported');
    const v = typeof value === 'boolean' ? Number(value) : value;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${this.name}: non-finite value ${String(value)}`);
    if (tags !== undefined) {
      for (const [k, t] of Object.entries(tags)) {
        if (typeof t !== 'string') throw new Error(`${this.name}: tag ${k} is not a string`);
      }
    }
    recordSample(this.name, this.type, this.type === 'rate' ? (v !== 0 ? 1 : 0) : v, tags);
  };
}

export class Counter extends Metric {
  constructor(name: string, isTime = false) {
    super(name, isTime, 'counter');
  }
}

export class Gauge extends Metric {
  constructor(name: string, isTime = false) {
    super(name, isTime, 'gauge');
  }
}

export class Rate extends Metric {
  constructor(name: string, isTime = false) {
    super(name, isTime, 'rate');
  }
}

export class Trend extends Metric {
  constructor(name: string, isTime = false) {
    super(name, isTime, 'trend');
  }
}
