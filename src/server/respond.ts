/** Response helpers: JSON bodies (always redacted), typed error bodies, request body reading. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problemsOf } from '../core/config.js';
import { ConfigError, PanopticError, errorMessage } from '../core/errors.js';
import { redactObject } from '../core/redact.js';
import type { z } from 'zod';

export class HttpError extends PanopticError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message, { code, details });
  }
}

/** Sends a JSON body; every string in it passes through credential redaction. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(redactObject(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** `{error: {code, message, field?, errors?: [{field, message, value}]}}` */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof HttpError) {
    sendJson(res, err.status, { error: { code: err.code, message: err.message, ...err.details } });
  } else if (err instanceof ConfigError) {
    const problems = (err.details.problems as unknown[] | undefined) ?? [{ field: err.field, message: err.message }];
    sendJson(res, 400, { error: { code: 'ERR_VALIDATION', message: err.message, field: err.field, errors: problems } });
  } else if (err instanceof PanopticError) {
    sendJson(res, 500, { error: { code: err.code, message: err.message } });
  } else {
    sendJson(res, 500, { error: { code: 'ERR_INTERNAL', message: errorMessage(err) } });
  }
}

const MAX_BODY_BYTES = 64 * 1024;

/** Reads and parses a JSON body (≤ 64 KiB), then validates it; a problem → ConfigError naming `body.<field>`. */
export async function readBody<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'ERR_BODY_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let value: unknown;
  try {
    value = text.trim() === '' ? undefined : JSON.parse(text);
  } catch (err) {
    throw new ConfigError('body', text.slice(0, 40), `not valid JSON: ${errorMessage(err)}`);
  }
  if (value === undefined) throw new ConfigError('body', undefined, 'a JSON body is required');
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const problems = problemsOf(res.error, value, 'body');
  const first = problems[0]!;
  const err = new ConfigError(first.field, first.value, first.message);
  (err.details as Record<string, unknown>).problems = problems;
  throw err;
}

/** Reads a raw text body (SDP offers), ≤ 64 KiB. */
export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'ERR_BODY_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
