import type { SchedulerKind } from './options.ts';

/** Something that runs at a time: `fire` does the work due by `now` and returns its next due time, or -1 when done. */
export interface Task {
  fire(now: number): number;
  /** Scheduler-private bookkeeping. */
  due: number;
  slot: number;
  timer: NodeJS.Timeout | null;
}

export interface Scheduler {
  /** Runs `task` at `due` (performance.now() milliseconds). */
  schedule(task: Task, due: number): void;
  /** Forgets `task` at once (it will not fire). */
  cancel(task: Task): void;
  /** Number of tasks waiting. */
  size(): number;
}

export function newTask(fire: (now: number) => number): Task {
  return { fire, due: 0, slot: -1, timer: null };
}

/**
 * `sliceMs` (tick only; 0 = no limit): a wake-up that has worked this long yields to I/O
 * (setImmediate) before it carries on. libuv accepts one connection per event-loop turn, so
 * without slices a long wake-up under load holds new connections in the kernel's accept queue
 * (seconds of time to headers, measured in docs/mock-server.md). `clock` is injectable for tests.
 */
export function createScheduler(kind: SchedulerKind, sliceMs = 0, clock: () => number = () => performance.now()): Scheduler {
  return kind === 'tick' ? createTickScheduler(sliceMs, clock) : createTimerScheduler();
}

/** One Node timer per task. */
function createTimerScheduler(): Scheduler {
  let count = 0;
  const arm = (task: Task, due: number): void => {
    task.due = due;
    task.slot = 0;
    count++;
    task.timer = setTimeout(run, Math.max(0, due - performance.now()), task);
  };
  const run = (task: Task): void => {
    task.timer = null;
    task.slot = -1;
    count--;
    const next = task.fire(performance.now());
    if (next >= 0) arm(task, next);
  };
  return {
    schedule: arm,
    cancel(task) {
      if (task.timer) {
        clearTimeout(task.timer);
        task.timer = null;
        task.slot = -1;
        count--;
      }
    },
    size: () => count,
  };
}

/**
 * One timer for the whole server: a binary min-heap of tasks by due time; the single
 * timer is armed for the earliest one, and each wake-up fires every task that is due.
 */
function createTickScheduler(sliceMs: number, clock: () => number): Scheduler {
  const heap: Task[] = [];
  let timer: NodeJS.Timeout | null = null;
  /** Set while a sliced wake-up waits to carry on: it re-arms the timer itself. */
  let resume: NodeJS.Immediate | null = null;
  let armedFor = Infinity;

  const swap = (i: number, j: number): void => {
    const a = heap[i] as Task;
    const b = heap[j] as Task;
    heap[i] = b;
    heap[j] = a;
    b.slot = i;
    a.slot = j;
  };
  const up = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((heap[p] as Task).due <= (heap[i] as Task).due) return;
      swap(i, p);
      i = p;
    }
  };
  const down = (i: number): void => {
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && (heap[l] as Task).due < (heap[m] as Task).due) m = l;
      if (r < n && (heap[r] as Task).due < (heap[m] as Task).due) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  const push = (task: Task, due: number): void => {
    task.due = due;
    task.slot = heap.length;
    heap.push(task);
    up(task.slot);
  };
  const remove = (task: Task): void => {
    const i = task.slot;
    const last = heap.pop() as Task;
    task.slot = -1;
    if (last !== task) {
      heap[i] = last;
      last.slot = i;
      up(i);
      down(last.slot);
    }
  };
  const arm = (): void => {
    if (resume) return;
    const top = heap[0];
    if (!top) {
      if (timer) clearTimeout(timer);
      timer = null;
      armedFor = Infinity;
      return;
    }
    if (timer && armedFor <= top.due) return;
    if (timer) clearTimeout(timer);
    armedFor = top.due;
    timer = setTimeout(tick, Math.max(0, top.due - clock()));
  };
  const tick = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    resume = null;
    armedFor = Infinity;
    const now = clock();
    const yieldAt = now + sliceMs;
    // Fire everything due within the timer's 1 ms resolution: waiting another wake-up would only add lateness.
    for (let top = heap[0]; top && top.due <= now + 0.5; top = heap[0]) {
      remove(top);
      const next = top.fire(now);
      if (next >= 0) push(top, next);
      if (sliceMs > 0 && clock() >= yieldAt) {
        resume = setImmediate(tick); // the earliest due tasks stay first in the heap
        return;
      }
    }
    arm();
  };

  return {
    schedule(task, due) {
      push(task, due);
      arm();
    },
    cancel(task) {
      if (task.slot >= 0) {
        remove(task);
        arm();
      }
    },
    size: () => heap.length,
  };
}
