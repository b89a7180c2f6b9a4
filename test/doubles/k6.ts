/**
 * Double of `k6`: `sleep` advances the virtual clock; `check`, `group`, `fail` behave
 * as in k6 (a check records a `checks` rate sample).
 */
import { recordSample, runtime } from './runtime.ts';

export function sleep(seconds: number): void {
  const rt = runtime();
  rt.setTime(rt.now() + seconds * 1000);
}

export function check<T>(value: T, sets: Record<string, (v: T) => boolean>, tags?: Record<string, string>): boolean {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(fn(value));
    recordSample('checks', 'rate', ok ? 1 : 0, { ...(tags ?? {}), check: name });
    all &&= ok;
  }
  return all;
}

export function group<T>(_name: string, fn: () => T): T {
  return fn();
}

export function fail(message?: string): never {
  throw new Error(message ?? '');
}
