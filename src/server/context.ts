/** What the transports and handlers share: config, the pipeline, metrics, model info, readiness. */
import type { Pipeline } from '../streams/pipeline.js';
import type { ServerConfig } from './config.js';
import type { ServerMetrics } from './server-metrics.js';

export interface ModelSummary {
  name: string;
  family?: string;
  loaded: boolean;
  executionProviders?: Record<string, string>;
  categories?: { id: number; name: string; isThing: boolean }[];
  /** Present in the model directories (for `GET /api/models` listings of bundles not loaded). */
  available?: boolean;
  error?: string;
}

export interface ServerContext {
  readonly config: ServerConfig;
  readonly pipeline: Pipeline;
  readonly metrics: ServerMetrics;
  /** The loaded model and the bundles found in the model directories. */
  models(): Promise<ModelSummary[]>;
  /** The model in use (name, family, providers), once loaded. */
  activeModel(): ModelSummary;
  /** Ready = model loaded and the pipeline open; `reason` otherwise. */
  readiness(): { ready: boolean; reason?: string };
  /** Validates a camera URL against the ingest allow-list; throws a ConfigError naming `field`. */
  validateCameraUrl(url: string, field: string): void;
}
