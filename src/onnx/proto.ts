/**
 * ONNX model (de)serialisation through protobufjs, a maintained protobuf library.
 *
 * The schema (schema.ts) is the subset of ONNX's `onnx.proto` (proto2, package onnx) that this
 * project reads and writes, compiled to static code (onnx.static.js) so neither a .proto parser
 * nor a run-time code generator (new Function) runs in the page. Field numbers are ONNX's wire format. Fields this schema does not name (functions, training
 * info, sparse initialisers) are skipped on decode; that is safe because a large model is never
 * re-encoded from its decoded form: outputs are added by appending a small encoded `GraphProto`
 * fragment, which protobuf's merge rule folds into the existing graph (see graph.ts).
 */
import protobuf from 'protobufjs/minimal.js';
import Long from 'long';
// @ts-expect-error generated JavaScript without types (scripts/make-onnx-proto.ts); used through `Codec` below
import { onnx } from './onnx.static.js';

// int64 fields as long.js Longs everywhere: protobufjs finds long.js by itself in Node but not in
// a bundled page, where it would fall back to doubles and lose values above 2^53 (INT64_MAX in
// Slice ends, say) when a head model is re-encoded.
protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();

/** The generated codecs (static code: no new Function() at run time). */
const ModelType = onnx.ModelProto as unknown as Codec;
const GraphType = onnx.GraphProto as unknown as Codec;
interface Codec {
  decode(bytes: Uint8Array): unknown;
  verify(message: unknown): string | null;
  fromObject(object: unknown): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}

/** ONNX TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** int64 as decoded (a long.js Long) or as given by this project's builders (a number). */
export type Int64 = number | { toNumber(): number };

export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: Int64[];
}

export interface TensorProto {
  name?: string;
  dims: Int64[];
  dataType: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64[];
  doubleData?: number[];
  externalData?: { key: string; value: string }[];
  dataLocation?: number;
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute: AttributeProto[];
}

export interface ValueInfoProto {
  name: string;
  type?: {
    tensorType?: {
      elemType: number;
      shape?: { dim: { dimValue?: Int64; dimParam?: string }[] };
    };
  };
}

export interface GraphProto {
  name?: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
}

export interface ModelProto {
  irVersion: Int64;
  opsetImport: { domain?: string; version: Int64 }[];
  producerName?: string;
  producerVersion?: string;
  graph: GraphProto;
  metadataProps?: { key: string; value: string }[];
}

export function toNumber(v: Int64 | undefined | null): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Thrown when bytes are not an ONNX model this project can read. */
export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

/**
 * Decodes an ONNX model. Tensor payloads (`raw_data`) stay views into `bytes`, so decoding a
 * 350 MB model does not copy its weights.
 */
export function decodeModel(bytes: Uint8Array, what = 'model'): ModelProto {
  let model: ModelProto;
  try {
    model = ModelType.decode(bytes) as unknown as ModelProto;
  } catch (err) {
    throw new OnnxFormatError(`${what} is not a valid ONNX file (${(err as Error).message})`);
  }
  if (!model.graph || model.graph.node.length === 0) {
    throw new OnnxFormatError(`${what} is not a valid ONNX file: it has no graph nodes`);
  }
  for (const t of model.graph.initializer) {
    if (t.dataLocation === 1 || (t.externalData && t.externalData.length > 0)) {
      throw new OnnxFormatError(
        `${what} keeps tensor "${t.name}" in an external data file, which this loader does not read`,
      );
    }
  }
  return model;
}

export function encodeModel(model: ModelProto): Uint8Array {
  const err = ModelType.verify(model);
  if (err) throw new OnnxFormatError(`cannot encode model: ${err}`);
  return ModelType.encode(ModelType.fromObject(model)).finish();
}

/** Encodes a bare GraphProto (used for append-and-merge edits). */
export function encodeGraph(graph: Partial<GraphProto>): Uint8Array {
  return GraphType.encode(GraphType.fromObject(graph)).finish();
}
