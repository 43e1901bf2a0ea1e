/**
 * The model bundle manifest (`model.json`): schema, defaults and loading. Every problem becomes a
 * {@link ConfigError} naming the field path (`components.main.input.layout`) and the bad value, with
 * the manifest's path as context; an unknown field suggests the closest valid one (typos).
 * The reference for every field is docs/models.md.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../core/errors.js';
import { problemsOf } from '../core/config.js';
import type { Category, DepthKind } from '../core/types.js';

export const MANIFEST_FILE = 'model.json';
export const MANIFEST_SCHEMA_VERSION = 1;

const SHA256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (SHA-256)');
const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);
const triple = z.tuple([z.number(), z.number(), z.number()]);

export const FileRefSchema = z.strictObject({
  /** File name, looked up in the bundle directory first. */
  name: z
    .string()
    .min(1)
    .refine((s) => !s.includes('/') && !s.includes('\\'), 'must be a bare file name (no directories)'),
  /** SHA-256 of the file: integrity check and lookup key in the model directories. */
  sha256: SHA256,
  sizeBytes: z.number().int().positive().optional(),
  /** Where `models pull` downloads it from, tried in order. */
  urls: z.array(z.url()).default([]),
});

export const InputSpecSchema = z.strictObject({
  /** ONNX input name. */
  name: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Tensor layout: NCHW [N,3,H,W] or NHWC [N,H,W,3]. Default NCHW. */
  layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
  /** Tensor type. `uint8` feeds raw 0..255 values (scale/mean/std ignored). Default float32. */
  dtype: z.enum(['float32', 'uint8']).default('float32'),
  /** value = (pixel·scale − mean[c]) / std[c]. Default 1/255. */
  scale: z.number().positive().default(1 / 255),
  mean: triple.default([0, 0, 0]),
  std: triple.refine((s) => s.every((v) => v !== 0), 'std values must be non-zero').default([1, 1, 1]),
  /** Channel order of the tensor. Default RGB. */
  channelOrder: z.enum(['RGB', 'BGR']).default('RGB'),
  /**
   * `stretch`: resize to width×height ignoring aspect; `letterbox`: keep aspect, pad both sides
   * equally (YOLO); `pad-bottom-right`: keep aspect, pad right/bottom (TF DeepLab). Default stretch.
   */
  resize: z.enum(['stretch', 'letterbox', 'pad-bottom-right']).default('stretch'),
  /** Padding value in pixel units (0..255, before normalisation). Default 0. */
  padValue: z.number().min(0).max(255).default(0),
});

export const ComponentSchema = z.strictObject({
  file: FileRefSchema,
  input: InputSpecSchema,
  /** Output meaning (family-defined, e.g. `semantic`) → ONNX output name. */
  outputs: z.record(z.string().min(1), z.string().min(1)).default({}),
});

export const ClassSchema = z.strictObject({
  id: z.number().int().min(0),
  name: z.string().min(1),
  isThing: z.boolean(),
  /** RGB colour; default: a stable colour derived from the id. */
  color: rgb.optional(),
});
export const ClassListSchema = z.array(ClassSchema).min(1);

export const DepthSpecSchema = z.strictObject({
  /** `metric` (unit below), `relative-inverse` (larger = nearer, e.g. Depth-Anything), `relative` (larger = farther). */
  kind: z.enum(['metric', 'relative-inverse', 'relative']),
  unit: z.string().min(1).default('m'),
  /** depth = raw·scale + shift, applied to the model output. Defaults 1 and 0. */
  scale: z.number().default(1),
  shift: z.number().default(0),
});

export const RuntimeSpecSchema = z.strictObject({
  /** Largest batch per run for dynamic-batch models (fixed-batch models use their own). Default 4. */
  maxBatch: z.number().int().min(1).max(64).default(4),
  /** Execution providers to try in order (overridden by the caller's option). */
  executionProviders: z.array(z.enum(['tensorrt', 'cuda', 'webgpu', 'cpu', 'dml', 'coreml'])).min(1).optional(),
});

export const ManifestSchema = z
  .strictObject({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-" only'),
    family: z.string().min(1),
    description: z.string().default(''),
    license: z.string().default('unknown'),
    components: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'component roles are lower-case identifiers'), ComponentSchema).refine((c) => Object.keys(c).length > 0, 'at least one component is required'),
    classes: ClassListSchema.optional(),
    /** JSON file (relative to the bundle dir) holding the `classes` array. */
    classesFile: z.string().min(1).optional(),
    /** Family-specific parameters, validated by the family's own schema (see the registry). */
    params: z.record(z.string(), z.unknown()).default({}),
    depth: DepthSpecSchema.optional(),
    runtime: RuntimeSpecSchema.default({ maxBatch: 4 }),
  })
  .superRefine((m, ctx) => {
    if (!m.classes && !m.classesFile) ctx.addIssue({ code: 'custom', path: ['classes'], message: 'either "classes" or "classesFile" is required' });
    if (m.classes && m.classesFile) ctx.addIssue({ code: 'custom', path: ['classesFile'], message: 'give either "classes" or "classesFile", not both' });
  });

export type FileRef = z.output<typeof FileRefSchema>;
export type InputSpec = z.output<typeof InputSpecSchema>;
/** Input spec as written by hand (defaults not applied); handy in tests and benchmarks. */
export type InputSpecInput = z.input<typeof InputSpecSchema>;
export type ComponentSpec = z.output<typeof ComponentSchema>;
export type DepthSpec = z.output<typeof DepthSpecSchema> & { kind: DepthKind };
export type Manifest = z.output<typeof ManifestSchema>;

/** Every field name the manifest knows (used to suggest the right one for a typo). */
const KNOWN_FIELDS = [
  ...Object.keys(FileRefSchema.shape),
  ...Object.keys(InputSpecSchema.shape),
  ...Object.keys(ComponentSchema.shape),
  ...Object.keys(ClassSchema.shape),
  ...Object.keys(DepthSpecSchema.shape),
  ...Object.keys(RuntimeSpecSchema.shape),
  'schemaVersion', 'name', 'family', 'description', 'license', 'components', 'classes', 'classesFile', 'params', 'depth', 'runtime',
];

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest known name within edit distance 3, if any. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/**
 * Parses with `schema`; the first problem becomes a ConfigError naming `root.field` and the value.
 * An unknown field suggests the closest of `knownFields` (default: the manifest's own field names).
 */
export function parseManifestPart<S extends z.ZodType>(schema: S, value: unknown, root: string, file?: string, knownFields: readonly string[] = KNOWN_FIELDS): z.output<S> {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const problems = problemsOf(res.error, value, root);
  const first = problems[0]!;
  let message = first.message;
  if (message.startsWith('unknown field')) {
    const key = first.field.split(/[.[\]]/).filter(Boolean).pop() ?? '';
    const hint = closestName(key, knownFields);
    message = `unknown field${hint ? `; did you mean "${hint}"?` : ''} (fields are listed in docs/models.md)`;
  }
  const err = new ConfigError(first.field, first.value, message, file ? { file } : undefined);
  (err.details as Record<string, unknown>).problems = problems;
  throw err;
}

/** Validates a manifest object (defaults applied). `file` is only used in error context. */
export function parseManifest(value: unknown, file?: string): Manifest {
  return parseManifestPart(ManifestSchema, value, '', file);
}

/** A stable, well-spread colour for a class id without one (golden-angle hue). */
export function defaultClassColor(id: number): [number, number, number] {
  const h = (id * 137.508) % 360;
  const s = 0.65;
  const l = 0.5;
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = h / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] = hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** The manifest's classes as Categories (reads `classesFile` relative to `bundleDir`); ids must be unique. */
export function resolveCategories(manifest: Manifest, bundleDir: string, file?: string): Category[] {
  let list = manifest.classes;
  let root = 'classes';
  let where = file;
  if (!list) {
    const rel = manifest.classesFile!;
    const path = isAbsolute(rel) ? rel : join(bundleDir, rel);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ConfigError('classesFile', rel, `cannot read a JSON class list: ${errorMessage(err)}`, file ? { file } : undefined);
    }
    list = parseManifestPart(ClassListSchema, raw, 'classesFile', path);
    root = 'classesFile';
    where = path;
  }
  const seen = new Set<number>();
  return list.map((c, i) => {
    if (seen.has(c.id)) throw new ConfigError(`${root}[${i}].id`, c.id, 'duplicate class id', where ? { file: where } : undefined);
    seen.add(c.id);
    return { id: c.id, name: c.name, isThing: c.isThing, color: c.color ?? defaultClassColor(c.id) };
  });
}

/** Reads and validates `<dir>/model.json`. JSON syntax errors name the file. */
export function readManifest(path: string): Manifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('model.json', path, `cannot read manifest: ${errorMessage(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('model.json', path, `not valid JSON: ${errorMessage(err)}`);
  }
  return parseManifest(raw, path);
}

export const manifestDir = (manifestPath: string): string => dirname(manifestPath);
