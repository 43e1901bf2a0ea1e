/**
 * RxJS operator: `frames$.pipe(inferWith(scheduler))` submits every frame to the batch scheduler and
 * emits its PanopticFrame (with `frame` and `timings` set). Dropped frames (superseded by a newer
 * frame of the same camera, failed batches, closed scheduler) are skipped — the scheduler counts them.
 * Per camera the output stays in frame order: batches run one at a time and a camera has at most one
 * frame per batch. Unsubscribing abandons pending results (frames still waiting are dropped).
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Frame, PanopticFrame } from '../core/types.js';
import type { BatchScheduler } from './scheduler.js';

export function inferWith(scheduler: BatchScheduler): OperatorFunction<Frame, PanopticFrame> {
  return (source) =>
    new Observable<PanopticFrame>((sub) => {
      const ctl = new AbortController();
      let pending = 0;
      let sourceDone = false;
      const maybeComplete = (): void => {
        if (sourceDone && pending === 0) sub.complete();
      };
      const inner = source.subscribe({
        next: (frame) => {
          pending++;
          void scheduler.submit(frame, ctl.signal).then((o) => {
            pending--;
            if (o.status === 'done' && !sub.closed) sub.next(o.result);
            maybeComplete();
          });
        },
        error: (err) => sub.error(err),
        complete: () => {
          sourceDone = true;
          maybeComplete();
        },
      });
      return () => {
        inner.unsubscribe();
        ctl.abort();
      };
    });
}
