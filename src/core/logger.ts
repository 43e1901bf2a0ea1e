/**
 * Namespaced structured logger (`ingest:ffmpeg`, `model:runtime`, ...).
 * - Level from `LOG_LEVEL` (error|warn|info|debug|trace; default info, `silent` in tests unless set).
 * - `LOG_FORMAT=json` prints one JSON object per line; otherwise a compact human line.
 * - Every message and string field is passed through {@link redactText}/{@link redactObject}:
 *   credentials and tokens are never printed.
 */
import { redactObject, redactText } from './redact.js';

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const ORDER: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };

export interface LogRecord {
  time: string;
  level: Exclude<LogLevel, 'silent'>;
  ns: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export type LogSink = (record: LogRecord) => void;

function defaultLevel(): LogLevel {
  const env = process.env.LOG_LEVEL?.toLowerCase();
  if (env && env in ORDER) return env as LogLevel;
  return 'info';
}

const state: { level: LogLevel; sinks: Set<LogSink>; json: boolean } = {
  level: defaultLevel(),
  sinks: new Set(),
  json: process.env.LOG_FORMAT === 'json',
};

function stderrSink(r: LogRecord): void {
  if (state.json) {
    process.stderr.write(JSON.stringify(r) + '\n');
    return;
  }
  const f = r.fields && Object.keys(r.fields).length ? ' ' + JSON.stringify(r.fields) : '';
  process.stderr.write(`${r.time} ${r.level.toUpperCase().padEnd(5)} ${r.ns}: ${r.msg}${f}\n`);
}

export function setLogLevel(level: LogLevel): void {
  state.level = level;
}
export function getLogLevel(): LogLevel {
  return state.level;
}
/** Adds a sink (tests capture records this way). Returns a function that removes it. */
export function addLogSink(sink: LogSink): () => void {
  state.sinks.add(sink);
  return () => state.sinks.delete(sink);
}

export class Logger {
  constructor(readonly ns: string) {}

  child(sub: string): Logger {
    return new Logger(`${this.ns}:${sub}`);
  }
  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return ORDER[level] <= ORDER[state.level] || state.sinks.size > 0;
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  trace(msg: string, fields?: Record<string, unknown>): void {
    this.log('trace', msg, fields);
  }

  private log(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    const toStderr = ORDER[level] <= ORDER[state.level];
    if (!toStderr && state.sinks.size === 0) return;
    const record: LogRecord = {
      time: new Date().toISOString(),
      level,
      ns: this.ns,
      msg: redactText(msg),
      ...(fields ? { fields: redactObject(normaliseFields(fields)) } : {}),
    };
    if (toStderr) stderrSink(record);
    for (const s of state.sinks) s(record);
  }
}

function normaliseFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, ...('code' in v ? { code: (v as { code: unknown }).code } : {}) } : v;
  }
  return out;
}

/** Returns the logger of a namespace, e.g. `createLogger('ingest:ffmpeg')`. */
export function createLogger(ns: string): Logger {
  return new Logger(ns);
}
