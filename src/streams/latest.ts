/**
 * Newest-wins delivery primitives shared by every output transport (WebSocket, MJPEG, WHEP):
 * a consumer that is slower than the producer gets the newest value, never a queue. Memory per
 * consumer is bounded by one pending value per key; every overwritten value is counted as a drop.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { abortReason } from '../core/abort.js';
import { ClosedError } from '../core/errors.js';

/** One value slot: `set` overwrites (counting a drop when the old value was never taken). */
export class LatestSlot<T> {
  private value: T | undefined;
  private has = false;
  private waiter?: (v: T) => void;
  /** Values set. */
  offered = 0;
  /** Values overwritten or cleared before being taken. */
  dropped = 0;

  get pending(): boolean {
    return this.has;
  }

  /** Stores `v`; returns true when it replaced a pending value (a drop). */
  set(v: T): boolean {
    this.offered++;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(v);
      return false;
    }
    const replaced = this.has;
    if (replaced) this.dropped++;
    this.value = v;
    this.has = true;
    return replaced;
  }

  /** Takes the pending value, if any. */
  take(): T | undefined {
    if (!this.has) return undefined;
    const v = this.value;
    this.value = undefined;
    this.has = false;
    return v;
  }

  /** Takes the pending value, or waits for the next `set`. One waiter at a time. */
  next(signal?: AbortSignal): Promise<T> {
    if (this.has) return Promise.resolve(this.take() as T);
    if (this.waiter) return Promise.reject(new Error('LatestSlot.next: another consumer is already waiting'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiter = undefined;
        reject(abortReason(signal!));
      };
      this.waiter = (v) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Discards a pending value (counted as a drop). */
  clear(): void {
    if (this.has) this.dropped++;
    this.value = undefined;
    this.has = false;
  }
}

/** At most one pending value per key; keys are served oldest-pending first (fair across cameras). */
export class LatestByKey<K, T> {
  // Map iteration order is insertion order: a key re-inserted after `take` goes to the back.
  private readonly pending = new Map<K, T>();
  private readonly drops = new Map<K, number>();
  dropped = 0;

  get size(): number {
    return this.pending.size;
  }

  /** Stores `v` for `key`, replacing (and counting) an untaken one. The key keeps its place in line. */
  offer(key: K, v: T): boolean {
    const replaced = this.pending.has(key);
    if (replaced) {
      this.dropped++;
      this.drops.set(key, (this.drops.get(key) ?? 0) + 1);
    }
    this.pending.set(key, v);
    return replaced;
  }

  take(): [K, T] | undefined {
    const first = this.pending.entries().next();
    if (first.done) return undefined;
    this.pending.delete(first.value[0]);
    return first.value;
  }

  /** Drops of one key so far. */
  droppedFor(key: K): number {
    return this.drops.get(key) ?? 0;
  }

  /** Forgets a key (e.g. unsubscribe); a pending value is discarded without counting. */
  delete(key: K): void {
    this.pending.delete(key);
    this.drops.delete(key);
  }

  clear(): void {
    this.pending.clear();
  }
}

export interface LatestDeliveryStats {
  offered: number;
  delivered: number;
  dropped: number;
  failed: number;
  pending: number;
  inFlight: boolean;
}

export interface LatestDeliveryOptions<K> {
  /** Called when `send` throws/rejects; delivery goes on with the next value. Default: ignore. */
  onError?: (err: unknown, key: K) => void;
}

/**
 * Drives a slow async sink (a socket write, an HTTP chunk) with newest-wins per key: one `send` in
 * flight at a time; values offered meanwhile wait in a {@link LatestByKey}, overwriting older ones.
 */
export class LatestDelivery<K, T> {
  private readonly queue = new LatestByKey<K, T>();
  private inFlight = false;
  private closedFlag = false;
  private offered = 0;
  private delivered = 0;
  private failed = 0;
  private idleWaiters: (() => void)[] = [];
  private current?: Promise<void>;

  constructor(
    private readonly send: (value: T, key: K) => Promise<void> | void,
    private readonly options: LatestDeliveryOptions<K> = {},
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Offers a value; returns false (and ignores it) after close. */
  offer(key: K, value: T): boolean {
    if (this.closedFlag) return false;
    this.offered++;
    this.queue.offer(key, value);
    if (!this.inFlight) this.current = this.pump();
    return true;
  }

  /** Forgets `key` (its pending value is discarded). */
  forget(key: K): void {
    this.queue.delete(key);
  }

  droppedFor(key: K): number {
    return this.queue.droppedFor(key);
  }

  stats(): LatestDeliveryStats {
    return { offered: this.offered, delivered: this.delivered, dropped: this.queue.dropped, failed: this.failed, pending: this.queue.size, inFlight: this.inFlight };
  }

  /** Resolves once nothing is pending or in flight. */
  idle(): Promise<void> {
    if (!this.inFlight && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops delivery: pending values are discarded; waits for an in-flight send to settle. Idempotent. */
  async close(): Promise<void> {
    this.closedFlag = true;
    this.queue.clear();
    await this.current;
  }

  private async pump(): Promise<void> {
    this.inFlight = true;
    try {
      for (let next = this.queue.take(); next && !this.closedFlag; next = this.queue.take()) {
        const [key, value] = next;
        try {
          await this.send(value, key);
          this.delivered++;
        } catch (err) {
          this.failed++;
          this.options.onError?.(err, key);
        }
      }
    } finally {
      this.inFlight = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }
}

/**
 * RxJS operator: runs `project` on one value at a time; values arriving while it runs overwrite
 * each other (newest wins) and `onDrop` is called for each overwritten one. Errors of `project`
 * error the output. Completion waits for the running and the pending value.
 */
export function mapLatestAsync<T, R>(project: (value: T, signal: AbortSignal) => Promise<R>, onDrop?: (value: T) => void): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const ctl = new AbortController();
      let pending: { v: T } | undefined;
      let running = false;
      let sourceDone = false;
      const run = (v: T): void => {
        running = true;
        project(v, ctl.signal).then(
          (r) => {
            if (ctl.signal.aborted) return;
            subscriber.next(r);
            running = false;
            const p = pending;
            pending = undefined;
            if (p) run(p.v);
            else if (sourceDone) subscriber.complete();
          },
          (err: unknown) => {
            if (!ctl.signal.aborted) subscriber.error(err);
          },
        );
      };
      const sub = source.subscribe({
        next: (v) => {
          if (!running) run(v);
          else {
            if (pending) onDrop?.(pending.v);
            pending = { v };
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (!running) subscriber.complete();
        },
      });
      return () => {
        ctl.abort(new ClosedError('mapLatestAsync'));
        sub.unsubscribe();
      };
    });
}
