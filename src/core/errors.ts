/**
 * Typed errors. Bad arguments/config throw {@link ConfigError} naming the field path and value;
 * runtime faults are {@link PanopticError}s carrying a `code`, a `fatal` flag and bracketed context.
 */
import { redactText } from './redact.js';

export type ErrorContext = Record<string, string | number | boolean | undefined>;

export function formatContext(context: ErrorContext | undefined): string {
  if (!context) return '';
  const parts = Object.entries(context)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}:${redactText(String(v))}`);
  return parts.length ? `[${parts.join(', ')}] ` : '';
}

export interface PanopticErrorOptions {
  code: string;
  fatal?: boolean;
  context?: ErrorContext;
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** Base class of every error panoptic-stream raises on purpose. Messages never contain credentials. */
export class PanopticError extends Error {
  readonly code: string;
  readonly fatal: boolean;
  readonly context: ErrorContext;
  readonly details: Record<string, unknown>;

  constructor(message: string, opts: PanopticErrorOptions) {
    super(formatContext(opts.context) + redactText(message), opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = new.target.name;
    this.code = opts.code;
    this.fatal = opts.fatal ?? false;
    this.context = opts.context ?? {};
    this.details = opts.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, fatal: this.fatal, message: this.message, context: this.context, ...this.details };
  }
}

/** A configuration value or an argument is invalid. `field` is a dotted path (e.g. `cameras[2].url`). */
export class ConfigError extends PanopticError {
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, problem: string, context?: ErrorContext) {
    super(`invalid ${field || 'value'} ${describeValue(value)}: ${problem}`, { code: 'ERR_CONFIG', fatal: true, context, details: { field } });
    this.field = field;
    this.value = value;
  }
}

/** The operation was aborted or the object was closed. */
export class ClosedError extends PanopticError {
  constructor(what: string, context?: ErrorContext) {
    super(`${what} is closed`, { code: 'ERR_CLOSED', fatal: true, context });
  }
}

export class TimeoutError extends PanopticError {
  constructor(what: string, timeoutMs: number, context?: ErrorContext) {
    super(`${what} timed out after ${timeoutMs} ms`, { code: 'ERR_TIMEOUT', context });
  }
}

/** Renders a value for an error message: short, redacted, JSON-like. */
export function describeValue(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (value === undefined) s = 'undefined';
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  s = redactText(s);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : redactText(String(err));
}
