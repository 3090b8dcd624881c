/**
 * The parts of onnxruntime (web or node) the embedders use, as structural types, and what both
 * the image towers (./embedder.ts) and the text encoder (./colbert.ts) do with them: float16/32
 * outputs read as float32, rows L2-normalised, cosines, and one tower loaded as two sessions (the
 * graph with its saliency Softmax exposed, and its pooled head cut out to run on every token).
 */
import { float16ToFloat32 } from '../core/float16.ts';
import { analyzeTower, extractHead, GraphStructureError, withExtraOutputs, type TowerAnalysis } from '../onnx/graph.ts';
import { DataType, decodeModel, encodeModel } from '../onnx/proto.ts';

/** Weight types a model can be loaded in. */
export type Dtype = 'fp32' | 'fp16' | 'q8';

// Structural types for the parts of onnxruntime (web or node) used here.
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32' | 'float16' | 'int64', data: Float32Array | Uint16Array | BigInt64Array, dims: readonly number[]) => OrtTensor;
}

export function toF32(t: OrtTensor): Float32Array {
  const data = t.data as ArrayLike<number>;
  if (t.type === 'float32') return data as Float32Array;
  if (t.type === 'float16') {
    if (data instanceof Uint16Array) return Float32Array.from(data, float16ToFloat32);
    return Float32Array.from(data);
  }
  throw new Error(`unexpected output type ${t.type}`);
}

export function normalizeRowsInPlace(v: Float32Array, d: number): void {
  for (let o = 0; o < v.length; o += d) {
    let s = 0;
    for (let j = 0; j < d; j++) s += v[o + j] * v[o + j];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) v[o + j] *= inv;
  }
}

export function cosine(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, d: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < d; j++) {
    const x = a[aOff + j];
    const y = b[bOff + j];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

export interface Tower {
  main: OrtSession;
  head: OrtSession;
  analysis: TowerAnalysis;
  /** 'float32' or 'float16': what the tower's float input / hidden state carries. */
  floatType: 'float32' | 'float16';
  /** The batch size the graph's first input fixes (an export without dynamic axes), if it does. */
  fixedBatch?: number;
}

/** The fixed first dimension of the graph input `name`, when the export fixed it. */
function fixedBatchOf(model: ReturnType<typeof decodeModel>, name: string): number | undefined {
  const dim = model.graph.input.find((i) => i.name === name)?.type?.tensorType?.shape?.dim?.[0];
  if (!dim || dim.dimParam || dim.dimValue === undefined || dim.dimValue === null) return undefined;
  const value = typeof dim.dimValue === 'number' ? dim.dimValue : dim.dimValue.toNumber();
  return value > 0 ? value : undefined;
}

export async function loadTower(ort: OrtModule, bytes: Uint8Array, what: string, expose: boolean, sessionOptions: Record<string, unknown>): Promise<Tower> {
  const model = decodeModel(bytes, what);
  const analysis = analyzeTower(model, what);
  const headBytes = encodeModel(extractHead(model, analysis));
  const extra = expose && analysis.saliency.tensor ? [{ name: analysis.saliency.tensor, elemType: analysis.floatType }] : [];
  const mainBytes = withExtraOutputs(bytes, extra);
  const floatType = analysis.floatType === DataType.FLOAT16 ? 'float16' : 'float32';
  const fixedBatch = expose ? fixedBatchOf(model, 'pixel_values') : undefined;
  if (fixedBatch !== undefined && fixedBatch !== 1)
    throw new GraphStructureError(`${what}: pixel_values has a fixed batch of ${fixedBatch}; re-export it with a dynamic batch axis (or a batch of 1)`);
  let main: Awaited<ReturnType<OrtModule['InferenceSession']['create']>> | undefined;
  try {
    main = await ort.InferenceSession.create(mainBytes, sessionOptions);
    const head = await ort.InferenceSession.create(headBytes, sessionOptions);
    return { main, head, analysis, floatType, ...(fixedBatch ? { fixedBatch } : {}) };
  } catch (err) {
    await main?.release?.().catch(() => undefined); // the head failed: do not leak the main session
    throw new GraphStructureError(`${what}: onnxruntime could not load it (${(err as Error).message})`);
  }
}
