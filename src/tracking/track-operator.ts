/**
 * Thin RxJS adapter over {@link Tracker}: one tracker per camera id (frames without a source frame share
 * one), created per subscription, so re-subscribing starts a fresh id space. Adds `timings.trackMs`.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { PanopticFrame, TrackedFrame } from '../core/types.js';
import { Tracker } from './tracker.js';
import { parseTrackerOptions } from './types.js';

export function track(options: unknown = {}): OperatorFunction<PanopticFrame, TrackedFrame> {
  // Validate eagerly so a bad config fails at pipeline construction, not at the first frame.
  const opts = parseTrackerOptions(options);
  return (source) =>
    new Observable<TrackedFrame>((subscriber) => {
      const trackers = new Map<string, Tracker>();
      return source.subscribe({
        next(frame) {
          const camera = frame.frame?.cameraId ?? '';
          let tracker = trackers.get(camera);
          if (!tracker) trackers.set(camera, (tracker = new Tracker(opts)));
          let out: TrackedFrame;
          const t0 = performance.now();
          try {
            out = tracker.update(frame);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          const trackMs = performance.now() - t0;
          subscriber.next({ ...out, timings: { ...out.timings, trackMs } });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
