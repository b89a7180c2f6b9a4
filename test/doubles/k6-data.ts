/**
 * Double of `k6/data`: SharedArray(name, fn) runs `fn` once per name for the whole
 * test (later VUs get the stored copy, as in k6), only in the init context, and
 * only for arrays; the elements are JSON copies, read-only.
 */
import { runtime } from './runtime.ts';

export class SharedArray<T = unknown> {
  [index: number]: T;
  readonly length: number;

  constructor(name: string, fn: () => T[]) {
    const rt = runtime();
    if (rt.phase !== 'init') throw new Error('new SharedArray must be called in the init context');
    if (typeof name !== 'string' || name === '') throw new Error('empty name provided to SharedArray constructor');
    let data = rt.sharedArrays.get(name);
    if (data === undefined) {
      const made: unknown = fn();
      if (!Array.isArray(made)) throw new Error('only arrays can be made into SharedArray');
      data = Object.freeze(JSON.parse(JSON.stringify(made)) as unknown[]);
      rt.sharedArrays.set(name, data);
    }
    const items = data as readonly T[];
    this.length = items.length;
    items.forEach((item, i) => {
      Object.defineProperty(this, i, { value: item, enumerable: true, writable: false });
    });
    Object.freeze(this);
  }
}
