/**
 * ONNX model (de)serialisation through protobufjs, a maintained protobuf library.
 *
 * The schema below is the subset of ONNX's `onnx.proto` (proto2, package onnx) that this project
 * reads and writes, written as a protobufjs JSON descriptor so no .proto parser runs in the page.
 * Field numbers are ONNX's wire format. Fields this schema does not name (functions, training
 * info, sparse initialisers) are skipped on decode; that is safe because a large model is never
 * re-encoded from its decoded form: outputs are added by appending a small encoded `GraphProto`
 * fragment, which protobuf's merge rule folds into the existing graph (see graph.ts).
 */
import protobuf from 'protobufjs/light.js';
import Long from 'long';

// int64 fields as long.js Longs everywhere: protobufjs finds long.js by itself in Node but not in
// a bundled page, where it would fall back to doubles and lose values above 2^53 (INT64_MAX in
// Slice ends, say) when a head model is re-encoded.
protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();

const Int = (id: number, rule?: 'repeated') => ({ type: 'int64', id, ...(rule ? { rule } : {}) });

const schema = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: Int(3),
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { type: 'float', id: 7, rule: 'repeated' },
            ints: Int(8, 'repeated'),
            strings: { type: 'bytes', id: 9, rule: 'repeated' },
            tensors: { type: 'TensorProto', id: 10, rule: 'repeated' },
            graphs: { type: 'GraphProto', id: 11, rule: 'repeated' },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        NodeProto: {
          fields: {
            input: { type: 'string', id: 1, rule: 'repeated' },
            output: { type: 'string', id: 2, rule: 'repeated' },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { type: 'AttributeProto', id: 5, rule: 'repeated' },
          },
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: Int(2) },
        },
        ModelProto: {
          fields: {
            irVersion: Int(1),
            opsetImport: { type: 'OperatorSetIdProto', id: 8, rule: 'repeated' },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: Int(5),
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { type: 'StringStringEntryProto', id: 14, rule: 'repeated' },
          },
        },
        GraphProto: {
          fields: {
            node: { type: 'NodeProto', id: 1, rule: 'repeated' },
            name: { type: 'string', id: 2 },
            initializer: { type: 'TensorProto', id: 5, rule: 'repeated' },
            docString: { type: 'string', id: 10 },
            input: { type: 'ValueInfoProto', id: 11, rule: 'repeated' },
            output: { type: 'ValueInfoProto', id: 12, rule: 'repeated' },
            valueInfo: { type: 'ValueInfoProto', id: 13, rule: 'repeated' },
          },
        },
        TensorProto: {
          fields: {
            dims: Int(1, 'repeated'),
            dataType: { type: 'int32', id: 2 },
            floatData: { type: 'float', id: 4, rule: 'repeated', options: { packed: true } },
            int32Data: { type: 'int32', id: 5, rule: 'repeated', options: { packed: true } },
            int64Data: { ...Int(7, 'repeated'), options: { packed: true } },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            externalData: { type: 'StringStringEntryProto', id: 13, rule: 'repeated' },
            dataLocation: { type: 'int32', id: 14 },
            doubleData: { type: 'double', id: 10, rule: 'repeated', options: { packed: true } },
          },
        },
        TensorShapeProto: {
          fields: { dim: { type: 'Dimension', id: 1, rule: 'repeated' } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: Int(1), dimParam: { type: 'string', id: 2 } },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'Tensor', id: 1 } },
          nested: {
            Tensor: {
              fields: {
                elemType: { type: 'int32', id: 1 },
                shape: { type: 'TensorShapeProto', id: 2 },
              },
            },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema);
const ModelType = root.lookupType('onnx.ModelProto');
const GraphType = root.lookupType('onnx.GraphProto');

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
