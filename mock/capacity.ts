/**
 * The mock's capacity model (`--max-concurrency N`, `X-Mock-Max-Concurrency`): at most N
 * requests are served at once; later ones wait, in arrival order, for a free slot before
 * anything (their headers included) is sent, so time to first event grows past N the way a
 * real server's queue makes it grow. A waiting request whose client goes away leaves the
 * queue and frees nothing it did not hold. Pure bookkeeping: no timers, no sockets.
 */

/** A slot held by one request; `release()` is idempotent. */
export interface Slot {
  release(): void;
}

/** A request's place in the gate: granted at once, or waiting until `cancel()`ed or granted. */
export interface Admission {
  /** True once a slot was granted (synchronously when one was free). */
  readonly granted: boolean;
  /** Leaves the queue; true when the request was still waiting (so nothing was held). */
  cancel(): boolean;
}

interface Waiter {
  readonly limit: number;
  /** Dropped once granted or cancelled, so a request that left keeps nothing alive here. */
  grant: ((slot: Slot) => void) | null;
  state: 'waiting' | 'granted' | 'cancelled';
  prev: Waiter | null;
  next: Waiter | null;
}

/**
 * One counter of requests being served and one FIFO queue (a doubly linked list: a waiter
 * that leaves is unlinked at once). Each request brings its own limit (the server's
 * `--max-concurrency` or its `X-Mock-Max-Concurrency`) and is admitted when fewer than that
 * many are being served; the queue is strict FIFO, so the head waits for its own limit and
 * those behind it wait for the head. Limit 0 means no capacity model for that request: it is
 * served at once, and counts as served for the others.
 */
export class SlotGate {
  private servedCount = 0;
  private waitingCount = 0;
  private head: Waiter | null = null;
  private tail: Waiter | null = null;

  /** Requests holding a slot. */
  get served(): number {
    return this.servedCount;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.waitingCount;
  }

  /**
   * Asks for a slot under `limit` (0 = no limit). `grant` is called once with the slot:
   * synchronously when one is free and nobody waits ahead, else when one frees up.
   */
  acquire(limit: number, grant: (slot: Slot) => void): Admission {
    const w: Waiter = { limit, grant, state: 'waiting', prev: null, next: null };
    if (limit === 0 || (this.head === null && this.servedCount < limit)) {
      this.give(w);
    } else {
      w.prev = this.tail;
      if (this.tail) this.tail.next = w;
      else this.head = w;
      this.tail = w;
      this.waitingCount++;
    }
    return {
      get granted() {
        return w.state === 'granted';
      },
      cancel: () => {
        if (w.state !== 'waiting') return false;
        w.state = 'cancelled';
        w.grant = null;
        const wasHead = this.head === w;
        this.unlink(w);
        // A head that leaves may have been what held back the requests behind it.
        if (wasHead) this.dispatch();
        return true;
      },
    };
  }

  private unlink(w: Waiter): void {
    if (w.prev) w.prev.next = w.next;
    else this.head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.tail = w.prev;
    w.prev = null;
    w.next = null;
    this.waitingCount--;
  }

  private give(w: Waiter): void {
    const grant = w.grant;
    w.state = 'granted';
    w.grant = null;
    this.servedCount++;
    let held = true;
    grant?.({
      release: () => {
        if (!held) return;
        held = false;
        this.servedCount--;
        this.dispatch();
      },
    });
  }

  /** Admits waiters from the head while they fit. */
  private dispatch(): void {
    for (let w = this.head; w !== null && this.servedCount < w.limit; w = this.head) {
      this.unlink(w);
      this.give(w);
    }
  }
}
