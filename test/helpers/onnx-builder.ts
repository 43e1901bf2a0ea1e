/**
 * A minimal ONNX protobuf encoder for tests: builds tiny models in the test itself (no binary
 * fixture). Covers ModelProto / GraphProto / NodeProto / AttributeProto / TensorProto /
 * ValueInfoProto (field numbers from onnx/onnx.proto3), enough for Conv/Identity/Mul/Add/Concat
 * graphs. {@link buildHeadsModel} makes a model whose outputs are exactly predictable.
 */
import { writeFileSync } from 'node:fs';

// ---- protobuf wire format -------------------------------------------------------------------

class Writer {
  private readonly chunks: number[] = [];
  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) b |= 0x80;
      this.chunks.push(b);
    } while (n !== 0n);
    return this;
  }
  key(field: number, wire: 0 | 2 | 5): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2).varint(b.length);
    for (const x of b) this.chunks.push(x);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (const x of b) this.chunks.push(x);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

// ---- ONNX messages ------------------------------------------------------------------------------

export const DataType = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7 } as const;
export type ElemType = keyof typeof DataType;

export interface ValueInfo {
  name: string;
  type: ElemType;
  /** number = fixed dim, string = symbolic (dynamic) dim. */
  dims: (number | string)[];
}

export interface InitTensor {
  name: string;
  dims: number[];
  /** float32 values (or int64 when `type` is int64). */
  values: ArrayLike<number>;
  type?: 'float32' | 'int64';
}

export type AttrValue = number | number[] | string | { floats: number[] };

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, AttrValue>;
}

export interface GraphSpec {
  name?: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: Node[];
  initializers?: InitTensor[];
  /** Default 17 (ORT supports 13–21). */
  opset?: number;
  /** Default 8. */
  irVersion?: number;
}

function tensorProto(t: InitTensor): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  const type = t.type ?? 'float32';
  w.int(2, DataType[type]);
  w.string(8, t.name);
  const raw = type === 'int64' ? new Uint8Array(BigInt64Array.from(Array.from(t.values, (v) => BigInt(v))).buffer) : new Uint8Array(Float32Array.from(t.values).buffer);
  w.bytes(9, raw);
  return w;
}

function valueInfo(v: ValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, DataType[v.type]).message(2, shape);
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

function attribute(name: string, v: AttrValue): Writer {
  const w = new Writer().string(1, name);
  if (typeof v === 'string') return w.bytes(4, new TextEncoder().encode(v)).int(20, 3);
  if (typeof v === 'number') return Number.isInteger(v) ? w.int(3, v).int(20, 2) : w.float(2, v).int(20, 1);
  if (Array.isArray(v)) {
    for (const x of v) w.int(8, x);
    return w.int(20, 7);
  }
  for (const x of v.floats) w.float(7, x);
  return w.int(20, 6);
}

function nodeProto(n: Node, i: number): Writer {
  const w = new Writer();
  for (const x of n.inputs) w.string(1, x);
  for (const x of n.outputs) w.string(2, x);
  w.string(3, n.name ?? `${n.op}_${i}`);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
  return w;
}

/** Serialises a model to ONNX protobuf bytes. */
export function encodeModel(g: GraphSpec): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => graph.message(1, nodeProto(n, i)));
  graph.string(2, g.name ?? 'test-graph');
  for (const t of g.initializers ?? []) graph.message(5, tensorProto(t));
  for (const v of g.inputs) graph.message(11, valueInfo(v));
  for (const v of g.outputs) graph.message(12, valueInfo(v));
  const model = new Writer()
    .int(1, g.irVersion ?? 8)
    .string(2, 'panoptic-stream-tests')
    .string(3, '1')
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, g.opset ?? 17));
  return model.finish();
}

export function writeModel(path: string, g: GraphSpec): string {
  writeFileSync(path, encodeModel(g));
  return path;
}

// ---- a predictable multi-head model ------------------------------------------------------------

export interface Conv1x1 {
  /** [out][in] weights. */
  weights: number[][];
  bias: number[];
}

export interface HeadsModelOptions {
  /** Batch dim: a number (fixed) or a symbol (dynamic). Default 'N'. */
  batch?: number | string;
  inputName?: string;
  width: number;
  height: number;
  /** Stride of every head (1×1 conv with this stride): head size = ceil(size / stride). Default 1. */
  stride?: number;
  /**
   * Heads by output name: `conv` maps the input's 3 channels per pixel; `constant` ([C, h, w]) is
   * added on top (broadcast over the batch), so a head can carry a fixed spatial pattern.
   */
  heads: Record<string, { conv: Conv1x1; constant?: Float32Array }>;
}

/**
 * `input [N,3,H,W] → head_k = Conv1x1(input; W_k, b_k, stride) (+ constant_k)`, all float32.
 * Output values are therefore known exactly from the input.
 */
export function buildHeadsModel(o: HeadsModelOptions): GraphSpec {
  const batch = o.batch ?? 'N';
  const input = o.inputName ?? 'image';
  const s = o.stride ?? 1;
  const hh = Math.ceil(o.height / s);
  const hw = Math.ceil(o.width / s);
  const nodes: Node[] = [];
  const initializers: InitTensor[] = [];
  const outputs: ValueInfo[] = [];
  for (const [name, head] of Object.entries(o.heads)) {
    const c = head.conv.weights.length;
    initializers.push({ name: `${name}_W`, dims: [c, 3, 1, 1], values: head.conv.weights.flat() });
    initializers.push({ name: `${name}_B`, dims: [c], values: head.conv.bias });
    const convOut = head.constant ? `${name}_conv` : name;
    nodes.push({ op: 'Conv', inputs: [input, `${name}_W`, `${name}_B`], outputs: [convOut], attrs: { kernel_shape: [1, 1], strides: [s, s] } });
    if (head.constant) {
      if (head.constant.length !== c * hh * hw) throw new Error(`constant of head ${name} must have ${c}×${hh}×${hw} values`);
      initializers.push({ name: `${name}_K`, dims: [1, c, hh, hw], values: head.constant });
      nodes.push({ op: 'Add', inputs: [convOut, `${name}_K`], outputs: [name] });
    }
    outputs.push({ name, type: 'float32', dims: [batch, c, hh, hw] });
  }
  return { inputs: [{ name: input, type: 'float32', dims: [batch, 3, o.height, o.width] }], outputs, nodes, initializers };
}
