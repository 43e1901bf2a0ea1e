/** AbortSignal plumbing: cancellable sleeps, timeouts and linked controllers. */
import { ClosedError, TimeoutError } from './errors.js';

/** Resolves after `ms`, or rejects with the signal's reason when aborted first. Never leaks a timer. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new ClosedError('operation');
}

/** A controller aborted when any of `signals` aborts. Call `dispose()` to unlink. */
export function linkedController(...signals: (AbortSignal | undefined)[]): AbortController & { dispose(): void } {
  const ctl = new AbortController() as AbortController & { dispose(): void };
  const unlink: (() => void)[] = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      ctl.abort(s.reason);
      break;
    }
    const on = (): void => ctl.abort(s.reason);
    s.addEventListener('abort', on, { once: true });
    unlink.push(() => s.removeEventListener('abort', on));
  }
  ctl.dispose = () => unlink.forEach((f) => f());
  return ctl;
}

/** Races a promise against a timeout (and an optional signal); the timer is always cleared. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
        if (signal) {
          onAbort = () => reject(abortReason(signal));
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        }
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
}
