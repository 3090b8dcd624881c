/**
 * A small ONNX graph builder that emits the node patterns of torch-exported Hugging Face models
 * (node names follow module paths, e.g. `/vision_model/post_layernorm/LayerNormalization`).
 * Used to generate the project's fixture and teaching models; nothing at run time depends on it.
 */
import { DataType, type AttributeProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.ts';
import { makeTensor, type TensorArray } from './tensor.ts';

export type AttrValue = number | number[] | string | { tensor: TensorProto } | { float: number } | { floats: number[] };

function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: 2, i: v };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if ('tensor' in v) return { name, type: 4, t: v.tensor };
  if ('float' in v) return { name, type: 1, f: v.float };
  return { name, type: 6, floats: v.floats };
}

export interface IOSpec {
  name: string;
  elemType: number;
  dims: (number | string)[];
}

export function valueInfo(spec: IOSpec): ValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType: spec.elemType,
        shape: { dim: spec.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Map<string, number>();
  private constCount = 0;

  /** A unique node name under `scope` (torch style: `/scope/Op`, then `/scope/Op_1`, ...). */
  private nodeName(scope: string, op: string): string {
    const base = `${scope}/${op}`;
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  /** Adds a node; returns its output tensor names (named `<node name>_output_<i>`, as torch does). */
  op(scope: string, opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs = 1, domain = ''): string[] {
    const name = this.nodeName(scope, opType);
    const outs = Array.from({ length: outputs }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({
      name,
      opType,
      input: inputs,
      output: outs,
      domain,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Single-output node. */
  op1(scope: string, opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.op(scope, opType, inputs, attrs)[0];
  }

  /** Renames the output of the last node (graph outputs keep their public names). */
  renameLastOutput(name: string): string {
    const last = this.nodes[this.nodes.length - 1];
    last.output[0] = name;
    return name;
  }

  init(name: string, dims: number[], data: TensorArray): string {
    this.initializers.push(makeTensor(name, dims, data));
    return name;
  }

  /** An anonymous constant initialiser (torch names these `onnx::<Op>_<n>`). */
  constant(dims: number[], data: TensorArray, hint = 'Constant'): string {
    return this.init(`onnx::${hint}_${this.constCount++}`, dims, data);
  }

  i64(values: number[], scalar = false): string {
    return this.constant(scalar ? [] : [values.length], BigInt64Array.from(values.map(BigInt)), 'Int64');
  }

  f32(values: number[], scalar = false): string {
    return this.constant(scalar ? [] : [values.length], Float32Array.from(values), 'Float');
  }

  build(inputs: IOSpec[], outputs: IOSpec[], opset: number, producer = 'mvc-playground fixture'): ModelProto {
    return {
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }],
      producerName: producer,
      producerVersion: '1',
      graph: {
        name: 'main_graph',
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map(valueInfo),
        output: outputs.map(valueInfo),
        valueInfo: [],
      },
    };
  }
}

export { DataType };
