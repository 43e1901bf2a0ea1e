/** Adapts ingest's {@link FrameSource} to the pipeline's narrow {@link CameraSource} view. */
import { BehaviorSubject } from 'rxjs';
import { FrameSource } from '../ingest/frame-source.js';
import type { FrameSourceOptions } from '../ingest/types.js';
import type { CameraSource, CameraStateEvent } from './camera-pipeline.js';

/** Camera fields the pipeline passes to ingest (see src/server/config.ts for their docs). */
export interface CameraSourceSpec {
  id: string;
  url: string;
  loop?: boolean;
  maxFps?: number;
  width?: number;
  height?: number;
  rtspTransport?: 'tcp' | 'udp';
}

/** Starts a real FFmpeg-backed source for a camera. `extra` adds ingest options (retry, timeouts…). */
export function openFrameSource(spec: CameraSourceSpec, extra: Partial<FrameSourceOptions> = {}): CameraSource {
  const source = new FrameSource({
    ...extra,
    cameraId: spec.id,
    url: spec.url,
    ...(spec.loop !== undefined ? { loop: spec.loop } : {}),
    ...(spec.maxFps !== undefined ? { maxFps: spec.maxFps } : {}),
    ...(spec.width !== undefined ? { width: spec.width } : {}),
    ...(spec.height !== undefined ? { height: spec.height } : {}),
    ...(spec.rtspTransport !== undefined ? { transport: spec.rtspTransport } : {}),
  });
  const state$ = new BehaviorSubject<CameraStateEvent>({ state: source.state });
  const off = source.on('state', (e) => state$.next({ state: e.state, reason: e.reason }));
  source.start();
  return {
    frames$: source.frames$,
    state$: state$.asObservable(),
    stats: () => {
      const s = source.stats();
      return { framesIn: s.framesIn, dropped: s.framesDropped, reconnects: s.restarts };
    },
    close: async () => {
      try {
        await source.close();
      } finally {
        off();
        state$.complete();
      }
    },
  };
}
