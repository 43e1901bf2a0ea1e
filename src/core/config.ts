/**
 * Validation at the edge: every config object and API body is parsed by a zod schema through
 * {@link parseWith}, which turns the first problem into a {@link ConfigError} naming the field path
 * (`cameras[1].retry.maxDelayMs`) and the bad value.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConfigError, errorMessage } from './errors.js';

export function formatPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** All problems of a failed parse, each with path, value and message (for 400 bodies listing every field). */
export interface FieldProblem {
  field: string;
  value: unknown;
  message: string;
}

export function problemsOf(error: z.ZodError, input: unknown, root = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    let path = issue.path as PropertyKey[];
    let message = issue.message;
    // Unknown keys: name the offending key itself, not its parent object.
    if (issue.code === 'unrecognized_keys' && 'keys' in issue && Array.isArray(issue.keys) && issue.keys.length) {
      path = [...path, issue.keys[0] as string];
      message = `unknown field (valid fields are listed in docs/configuration.md)`;
    }
    return { field: formatPath(path, root) || root || '(root)', value: valueAt(input, path), message };
  });
}

/** Parses `input` with `schema`; throws a ConfigError for the first problem. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, root = ''): z.output<S> {
  const res = schema.safeParse(input);
  if (res.success) return res.data;
  const [first] = problemsOf(res.error, input, root);
  const err = new ConfigError(first!.field, first!.value, first!.message);
  (err.details as Record<string, unknown>).problems = problemsOf(res.error, input, root);
  throw err;
}

/** Reads a YAML or JSON file (by extension; YAML is a superset so both parse) into a plain value. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config', path, `cannot read file: ${errorMessage(err)}`);
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ConfigError('config', path, `not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${errorMessage(err)}`);
  }
}
