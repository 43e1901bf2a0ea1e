/** Retry policy as data, and the exponential backoff with jitter computed from it. */
import { z } from 'zod';
import { parseWith } from '../core/config.js';
import type { RetryPolicy } from './types.js';

export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: Infinity,
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  backoffFactor: 2,
  jitterRatio: 0.2,
});

const schema = z
  .object({
    maxRetries: z.number().int().min(0).or(z.literal(Infinity)),
    initialDelayMs: z.number().min(0).max(3_600_000),
    maxDelayMs: z.number().min(0).max(3_600_000),
    backoffFactor: z.number().min(1).max(100),
    jitterRatio: z.number().min(0).max(1),
  })
  .strict();

/** Merges `partial` over the defaults and validates (ConfigError naming e.g. `retry.maxDelayMs`). */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined, root = 'retry'): RetryPolicy {
  const p = parseWith(schema, { ...defaultRetryPolicy, ...(partial ?? {}) }, root);
  return p.maxDelayMs < p.initialDelayMs ? { ...p, maxDelayMs: p.initialDelayMs } : p;
}

/** Delay before restart number `attempt` (1-based): initial·factor^(attempt-1), capped, ± jitter. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * Math.pow(policy.backoffFactor, Math.max(0, attempt - 1)));
  const jitter = base * policy.jitterRatio * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(policy.maxDelayMs, base + jitter)));
}
