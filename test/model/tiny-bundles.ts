/**
 * Tiny, exactly predictable model bundles generated in the tests (ONNX bytes from onnx-builder, real
 * SHA-256 in model.json) and synthetic frames for them.
 *
 * Scene: blue background (sky, stuff) with a red rectangle (person, thing); the green channel is a
 * constant `g` that the depth head turns into depth = 10·g/255 + 1 metres.
 * Heads (1×1 convs on the normalised RGB input): semantic = [R − B, B − R + 0.01] (grey padding → sky),
 * depth as above; the instance / centre / offset heads are constant maps pointing at the rectangle's
 * centroid, so decoding is exact for rectangles centred there.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from '../../src/core/types.js';
import { peEmbedding } from '../../src/model/pe.js';
import { buildHeadsModel, encodeModel, type GraphSpec } from '../helpers/onnx-builder.js';

export const CLASSES = [
  { id: 1, name: 'person', isThing: true, color: [220, 20, 60] },
  { id: 2, name: 'sky', isThing: false, color: [70, 130, 180] },
];

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** depth the model reports for green value g. */
export const depthOfGreen = (g: number): number => (10 * g) / 255 + 1;

let seqs = new Map<string, number>();
export function resetSeqs(): void {
  seqs = new Map();
}

/** A synthetic RGB24 camera frame of the scene. */
export function sceneFrame(cameraId: string, width: number, height: number, rect: Rect, g: number): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i += 3) {
      const inside = x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
      data[i] = inside ? 255 : 0;
      data[i + 1] = g;
      data[i + 2] = inside ? 0 : 255;
    }
  const seq = seqs.get(cameraId) ?? 0;
  seqs.set(cameraId, seq + 1);
  return { cameraId, seq, ptsMs: seq * 40, capturedAtMs: Date.now(), width, height, format: 'rgb24', data };
}

const semanticConv = { weights: [[1, 0, -1], [-1, 0, 1]], bias: [0, 0.01] };
const depthConv = { weights: [[0, 10, 0]], bias: [1] };
const zeros = (n: number): number[][] => Array.from({ length: n }, () => [0, 0, 0]);

/** Generalist-PE model: semantic [N,2,S,S], instance [N,16,S,S] = γ(u0)⊕γ(v0) everywhere, depth [N,1,S,S]. */
export function generalistPeGraph(size: number, centre: [u: number, v: number], batch: number | string = 'N'): GraphSpec {
  const L = 4;
  const emb = peEmbedding(centre[0], centre[1], L);
  const inst = new Float32Array(4 * L * size * size);
  for (let c = 0; c < 4 * L; c++) inst.fill(emb[c]!, c * size * size, (c + 1) * size * size);
  return buildHeadsModel({
    batch,
    width: size,
    height: size,
    heads: {
      semantic: { conv: semanticConv },
      instance: { conv: { weights: zeros(4 * L), bias: new Array<number>(4 * L).fill(0) }, constant: inst },
      depth: { conv: depthConv },
    },
  });
}

/**
 * Panoptic-DeepLab model at output stride 2: heads S/2 × S/2; centre heatmap = Gaussian (σ = 1 head px)
 * at head pixel `centre`; offsets (dy, dx) in model-input pixels pointing at it.
 */
export function deepLabGraph(size: number, centre: [x: number, y: number], batch: number | string = 'N'): GraphSpec {
  const h = size / 2;
  const heat = new Float32Array(h * h);
  const off = new Float32Array(2 * h * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < h; x++) {
      heat[y * h + x] = Math.exp(-((x - centre[0]) ** 2 + (y - centre[1]) ** 2) / 2);
      off[y * h + x] = 2 * (centre[1] - y);
      off[h * h + y * h + x] = 2 * (centre[0] - x);
    }
  return buildHeadsModel({
    batch,
    width: size,
    height: size,
    stride: 2,
    heads: {
      semantic: { conv: semanticConv },
      center: { conv: { weights: zeros(1), bias: [0] }, constant: heat },
      offsets: { conv: { weights: zeros(2), bias: [0, 0] }, constant: off },
      depth: { conv: depthConv },
    },
  });
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export interface BundleSpec {
  name: string;
  family: string;
  graph: GraphSpec;
  outputs: Record<string, string>;
  input?: Record<string, unknown>;
  params?: Record<string, unknown>;
  /** Applied to the manifest object last (to inject mistakes). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests poke arbitrary manifest fields
  edit?: (m: Record<string, any>) => void;
  /** Write the ONNX file into the bundle dir (default true). */
  writeOnnx?: boolean;
}

/** Writes `<root>/<name>/{model.json, <name>.onnx}`; returns the bundle dir and the ONNX bytes. */
export function writeBundle(root: string, s: BundleSpec): { dir: string; onnx: Uint8Array; file: string } {
  const dir = join(root, s.name);
  mkdirSync(dir, { recursive: true });
  const onnx = encodeModel(s.graph);
  const file = `${s.name}.onnx`;
  if (s.writeOnnx ?? true) writeFileSync(join(dir, file), onnx);
  const size = s.graph.inputs[0]!.dims[3] as number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a raw manifest object, validated by the code under test
  const manifest: Record<string, any> = {
    schemaVersion: 1,
    name: s.name,
    family: s.family,
    description: 'generated by the tests',
    license: 'Apache-2.0',
    components: {
      main: {
        file: { name: file, sha256: sha256(onnx), sizeBytes: onnx.length },
        input: { name: 'image', width: size, height: size, layout: 'NCHW', dtype: 'float32', scale: 1 / 255, resize: 'stretch', ...s.input },
        outputs: s.outputs,
      },
    },
    classes: CLASSES,
    params: s.params ?? {},
    depth: { kind: 'metric', unit: 'm', scale: 1, shift: 0 },
    runtime: { maxBatch: 4, executionProviders: ['cpu'] },
  };
  s.edit?.(manifest);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
  return { dir, onnx, file };
}

export const PE_OUTPUTS = { semantic: 'semantic', instance: 'instance', depth: 'depth' };
export const DEEPLAB_OUTPUTS = { semantic: 'semantic', center: 'center', offsets: 'offsets', depth: 'depth' };
