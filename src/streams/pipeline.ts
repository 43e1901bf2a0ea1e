/**
 * The multi-camera pipeline: one {@link CameraPipeline} per camera over shared stages (one model
 * session behind one batch scheduler). Cameras are added and removed at runtime; each camera owns
 * its source, tracker and subscriptions, so adding, removing or losing one never touches the others.
 */
import { Subject, type Observable } from 'rxjs';
import { TypedEmitter } from '../core/events.js';
import { PanopticError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import {
  CameraPipeline,
  type CameraPipelineOptions,
  type CameraSource,
  type CameraStateEvent,
  type PipelineStages,
  type ProcessedFrame,
} from './camera-pipeline.js';

const log = createLogger('streams:pipeline');

/** What the pipeline needs to know about a camera; `url` and the rest are the source's business. */
export interface CameraSpec {
  readonly id: string;
  readonly url: string;
  readonly [key: string]: unknown;
}

export interface PipelineEvents extends Record<string, unknown> {
  added: { id: string };
  /** Emitted after the camera's source has stopped and its output stream completed. */
  removed: { id: string };
  state: { id: string } & CameraStateEvent;
}

export interface PipelineOptions {
  /** Opens the frame source of a camera (real ingest FrameSource adapted to {@link CameraSource}). */
  openSource(spec: CameraSpec): CameraSource;
  stages: PipelineStages;
  camera?: Omit<CameraPipelineOptions, 'onProcessed'>;
}

export class CameraExistsError extends PanopticError {
  constructor(id: string) {
    super(`camera ${JSON.stringify(id)} already exists`, { code: 'ERR_CAMERA_EXISTS', context: { camera: id } });
  }
}

export class Pipeline extends TypedEmitter<PipelineEvents> {
  private readonly cameras = new Map<string, { spec: CameraSpec; pipe: CameraPipeline }>();
  private readonly out = new Subject<ProcessedFrame>();
  /** Every processed frame of every camera (metrics, recorders). */
  readonly output$: Observable<ProcessedFrame> = this.out.asObservable();
  private closed = false;

  constructor(private readonly opts: PipelineOptions) {
    super();
  }

  /** Starts a camera. Throws {@link CameraExistsError} for a taken id; source errors become its state. */
  addCamera(spec: CameraSpec): CameraPipeline {
    if (this.closed) throw new PanopticError('pipeline is closed', { code: 'ERR_CLOSED' });
    if (this.cameras.has(spec.id)) throw new CameraExistsError(spec.id);
    const source = this.opts.openSource(spec);
    const pipe = new CameraPipeline(spec.id, source, this.opts.stages, {
      ...this.opts.camera,
      onProcessed: (p) => this.out.next(p),
    });
    this.cameras.set(spec.id, { spec, pipe });
    pipe.state$.subscribe((e) => this.emit('state', { id: spec.id, ...e }));
    log.info('camera added', { camera: spec.id });
    this.emit('added', { id: spec.id });
    return pipe;
  }

  /** Stops and forgets a camera; resolves once its FFmpeg child has exited. False when unknown. */
  async removeCamera(id: string): Promise<boolean> {
    const entry = this.cameras.get(id);
    if (!entry) return false;
    this.cameras.delete(id);
    await entry.pipe.close();
    log.info('camera removed', { camera: id });
    this.emit('removed', { id });
    return true;
  }

  /** Replaces a camera's spec: only this camera restarts. */
  async replaceCamera(spec: CameraSpec): Promise<CameraPipeline> {
    await this.removeCamera(spec.id);
    return this.addCamera(spec);
  }

  get(id: string): CameraPipeline | undefined {
    return this.cameras.get(id)?.pipe;
  }
  spec(id: string): CameraSpec | undefined {
    return this.cameras.get(id)?.spec;
  }
  list(): { spec: CameraSpec; pipe: CameraPipeline }[] {
    return [...this.cameras.values()];
  }

  /** Removes every camera (all FFmpeg children exited when it resolves). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.cameras.keys()].map((id) => this.removeCamera(id)));
    this.out.complete();
  }
}
