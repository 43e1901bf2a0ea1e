/** The server's metric set, fed by the pipeline's processed frames and read from live camera stats. */
import type { Subscription } from 'rxjs';
import type { CameraState } from '../streams/camera-pipeline.js';
import type { Pipeline } from '../streams/pipeline.js';
import { BATCH_SIZE_BUCKETS, LATENCY_BUCKETS_MS, MetricsRegistry, type Counter, type Histogram, type Labels } from './metrics.js';

const STATES: readonly CameraState[] = ['connecting', 'streaming', 'stalled', 'reconnecting', 'failed', 'stopped'];

export class ServerMetrics {
  readonly registry = new MetricsRegistry();
  readonly inferenceMs: Histogram;
  readonly decodeMs: Histogram;
  readonly e2eMs: Histogram;
  readonly batchSize: Histogram;
  readonly wsDropped: Counter;
  private readonly subscriberSources = new Map<string, () => Map<string, number>>();
  private sub?: Subscription;

  constructor(private readonly pipeline: Pipeline) {
    const r = this.registry;
    const perCamera = <T>(fn: (s: ReturnType<NonNullable<ReturnType<Pipeline['get']>>['stats']>) => T) =>
      function* (this: void): Generator<{ labels: Labels; value: number }> {
        for (const { spec, pipe } of pipeline.list()) yield { labels: { camera: spec.id }, value: Number(fn(pipe.stats())) };
      };
    r.gauge('panoptic_camera_fps_in', 'Frames per second read from the camera (5 s window)', perCamera((s) => s.fpsIn));
    r.gauge('panoptic_camera_fps_processed', 'Frames per second through model and tracker (5 s window)', perCamera((s) => s.fpsProcessed));
    r.gauge('panoptic_camera_fps_dropped', 'Frames per second dropped by newest-wins (5 s window)', perCamera((s) => s.fpsDropped));
    r.gauge('panoptic_camera_frames_in', 'Frames read from the camera since it was added', perCamera((s) => s.framesIn));
    r.gauge('panoptic_camera_frames_processed', 'Frames processed since the camera was added', perCamera((s) => s.processed));
    r.gauge('panoptic_camera_frames_dropped', 'Frames dropped since the camera was added', perCamera((s) => s.dropped));
    r.gauge('panoptic_camera_reconnects', 'Source restarts since the camera was added', perCamera((s) => s.reconnects));
    r.gauge('panoptic_camera_state', 'Camera state (1 for the current state)', function* () {
      for (const { spec, pipe } of pipeline.list())
        for (const st of STATES) yield { labels: { camera: spec.id, state: st }, value: pipe.state.state === st ? 1 : 0 };
    });
    r.gauge('panoptic_cameras', 'Cameras attached', () => [{ value: pipeline.list().length }]);
    const subs = this.subscriberSources;
    r.gauge('panoptic_subscribers', 'Subscribers per transport and camera', function* () {
      for (const [transport, fn] of subs) for (const [camera, n] of fn()) yield { labels: { transport, camera }, value: n };
    });
    this.inferenceMs = r.histogram('panoptic_inference_latency_ms', 'Model run time per frame (preprocess + run + decode), ms', LATENCY_BUCKETS_MS);
    this.decodeMs = r.histogram('panoptic_decode_latency_ms', 'Panoptic decode time per frame, ms', LATENCY_BUCKETS_MS);
    this.e2eMs = r.histogram('panoptic_e2e_latency_ms', 'Capture to processed (tracked) latency per frame, ms', LATENCY_BUCKETS_MS);
    this.batchSize = r.histogram('panoptic_batch_size', 'Frames per inference batch', BATCH_SIZE_BUCKETS);
    this.wsDropped = r.counter('panoptic_ws_messages_dropped_total', 'WebSocket messages replaced by a newer one before a slow client took them');
    this.sub = pipeline.output$.subscribe((p) => {
      const t = p.tracked.timings;
      const labels = { camera: p.cameraId };
      const infer = (t.preprocessMs ?? 0) + (t.runMs ?? 0) + (t.decodeMs ?? 0);
      if (infer > 0) this.inferenceMs.observe(infer, labels);
      if (t.decodeMs !== undefined) this.decodeMs.observe(t.decodeMs, labels);
      this.e2eMs.observe(p.meta.latencyMs, labels);
    });
    pipeline.on('removed', ({ id }) => this.registry.removeMatching({ camera: id }));
  }

  /** A transport reports its subscriber counts per camera at scrape time. */
  addSubscriberSource(transport: string, fn: () => Map<string, number>): void {
    this.subscriberSources.set(transport, fn);
  }

  /** Subscribers of one camera per transport. */
  subscriberCounts(cameraId: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const [transport, fn] of this.subscriberSources) out.set(transport, fn().get(cameraId) ?? 0);
    return out;
  }

  close(): void {
    this.sub?.unsubscribe();
  }
}
