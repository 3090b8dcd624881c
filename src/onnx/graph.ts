/**
 * Finding, by graph structure, the parts of a CLIP/SigLIP tower this project needs, and editing
 * the graph to get them:
 *
 * - the pooled head: every node between the per-token tensor (`last_hidden_state`) and the pooled
 *   output (`image_embeds`, `text_embeds` or `pooler_output`). It is cut out as a model of its own
 *   and run on a batch of one-token sequences ([tokens, 1, hidden]), which applies the head to
 *   every token: CLIP's gather + post layer norm + projection, SigLIP's attention-pooling head
 *   (attention over one token is that token), the text towers' EOS / last-token gather + projection.
 *   The same works for q8 exports (DynamicQuantizeLinear + MatMulInteger) because nothing is
 *   matched by op type or name.
 * - the attention probabilities for saliency: a Softmax inside the head (SigLIP's probe) or else
 *   the last Softmax before `last_hidden_state` (CLIP's last layer), exposed as an extra output.
 */
import protobuf from 'protobufjs/light.js';
import { encodeGraph, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from './proto.ts';

export class GraphStructureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphStructureError';
  }
}

export class GraphIndex {
  readonly producer = new Map<string, number>();
  readonly initializers = new Set<string>();
  readonly inputs = new Set<string>();
  readonly outputs = new Set<string>();

  constructor(readonly graph: GraphProto) {
    graph.node.forEach((n, i) => {
      for (const o of n.output) if (o) this.producer.set(o, i);
    });
    for (const t of graph.initializer) if (t.name) this.initializers.add(t.name);
    for (const v of graph.input) if (!this.initializers.has(v.name)) this.inputs.add(v.name);
    for (const v of graph.output) this.outputs.add(v.name);
  }

  node(i: number): NodeProto {
    return this.graph.node[i];
  }

  /**
   * Nodes needed to compute `targets`, not looking past tensors in `stop`. Returns node indices in
   * graph order, the graph inputs reached and the stop tensors reached.
   */
  ancestors(targets: string[], stop: Set<string> = new Set()): { nodes: number[]; inputs: Set<string>; stops: Set<string> } {
    const seen = new Set<number>();
    const inputs = new Set<string>();
    const stops = new Set<string>();
    const stack = [...targets];
    const visited = new Set<string>();
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (!t || visited.has(t)) continue;
      visited.add(t);
      if (stop.has(t)) {
        stops.add(t);
        continue;
      }
      if (this.initializers.has(t)) continue;
      if (this.inputs.has(t)) {
        inputs.add(t);
        continue;
      }
      const p = this.producer.get(t);
      if (p === undefined) throw new GraphStructureError(`tensor "${t}" has no producer, initializer or graph input`);
      if (seen.has(p)) continue;
      seen.add(p);
      stack.push(...this.node(p).input);
    }
    return { nodes: [...seen].sort((a, b) => a - b), inputs, stops };
  }
}

const FUSED_ATTENTION = new Set(['Attention', 'MultiHeadAttention', 'PackedAttention', 'PackedMultiHeadAttention', 'GroupQueryAttention']);

/** The last Softmax node that `output` depends on (a last layer's attention probabilities), if any. */
export function lastSoftmax(model: ModelProto, output: string): NodeProto | undefined {
  const g = new GraphIndex(model.graph);
  const soft = g.ancestors([output]).nodes.filter((i) => g.node(i).opType === 'Softmax');
  return soft.length ? g.node(soft[soft.length - 1]) : undefined;
}

export type SaliencySource = 'cls-attention' | 'probe-attention';

export interface TowerAnalysis {
  /** The pooled, text-aligned output: image_embeds / text_embeds / pooler_output. */
  pooled: string;
  /** The per-token graph output (last_hidden_state), read from the full model. */
  sequence: string;
  /**
   * The name the pooled head reads those values under: last_hidden_state, or the tensor it is an
   * Identity alias of (exporters often emit last_hidden_state = Identity(x) and pool from x).
   */
  headInput: string;
  /** Graph inputs the head reads besides the sequence (e.g. input_ids for the EOS gather). */
  headInputs: string[];
  headNodeCount: number;
  /** The head pools by attention (SigLIP): no single token position equals the pooled output. */
  attentionPooling: boolean;
  /** Softmax output to expose for saliency, or why there is none. */
  saliency: { tensor: string; node: string; source: SaliencySource } | { tensor: null; reason: string };
  /** ONNX elem type of the pooled output (1 float32, 10 float16). */
  floatType: number;
}

const POOLED_NAMES = ['image_embeds', 'text_embeds', 'pooler_output'];

/** Analyses one tower (vision or text model). `what` names the file in errors. */
export function analyzeTower(model: ModelProto, what: string): TowerAnalysis {
  const g = new GraphIndex(model.graph);
  const outNames = model.graph.output.map((o) => o.name);
  const pooled = POOLED_NAMES.find((n) => outNames.includes(n));
  if (!pooled) {
    throw new GraphStructureError(`${what}: no pooled output (expected one of ${POOLED_NAMES.join(', ')}; found ${outNames.join(', ')})`);
  }
  if (!outNames.includes('last_hidden_state')) {
    throw new GraphStructureError(`${what}: no last_hidden_state output, so per-token vectors cannot be computed`);
  }
  const sequence = 'last_hidden_state';
  const aliases = identityAliases(g, sequence);
  const head = g.ancestors([pooled], new Set(aliases));
  if (head.stops.size === 0) {
    throw new GraphStructureError(`${what}: ${pooled} does not depend on ${sequence}${aliases.length > 1 ? ` (nor on ${aliases.slice(1).join(', ')}, of which it is an Identity copy)` : ''}; cannot find the pooled head`);
  }
  if (head.stops.size > 1) {
    throw new GraphStructureError(`${what}: the pooled head reads ${sequence} under several names (${[...head.stops].join(', ')}); this export is not supported`);
  }
  const headInput = [...head.stops][0];
  const bad = [...head.inputs].filter((i) => i !== 'input_ids' && i !== 'attention_mask');
  if (bad.length > 0) {
    throw new GraphStructureError(`${what}: the pooled head also reads ${bad.join(', ')} outside ${sequence}; this export is not supported`);
  }
  const headSet = new Set(head.nodes);
  const headSoftmax = head.nodes.filter((i) => g.node(i).opType === 'Softmax');
  const attentionPooling = headSoftmax.length > 0;
  let saliency: TowerAnalysis['saliency'];
  if (attentionPooling) {
    const i = headSoftmax[headSoftmax.length - 1];
    saliency = { tensor: g.node(i).output[0], node: g.node(i).name ?? `#${i}`, source: 'probe-attention' };
  } else {
    const body = g.ancestors([sequence]).nodes.filter((i) => !headSet.has(i));
    const soft = body.filter((i) => g.node(i).opType === 'Softmax');
    if (soft.length > 0) {
      const i = soft[soft.length - 1];
      saliency = { tensor: g.node(i).output[0], node: g.node(i).name ?? `#${i}`, source: 'cls-attention' };
    } else {
      const fused = body.map((i) => g.node(i).opType).find((op) => FUSED_ATTENTION.has(op));
      saliency = {
        tensor: null,
        reason: fused ? `attention is fused (${fused} op), so there are no probabilities to expose` : 'the graph has no Softmax before last_hidden_state',
      };
    }
  }
  const pooledInfo = model.graph.output.find((o) => o.name === pooled)!;
  return {
    pooled,
    sequence,
    headInput,
    headInputs: [...head.inputs],
    headNodeCount: head.nodes.length,
    attentionPooling,
    saliency,
    floatType: pooledInfo.type?.tensorType?.elemType ?? 1,
  };
}

/** `name` and the tensors it copies through a chain of Identity nodes (nearest first). */
function identityAliases(g: GraphIndex, name: string): string[] {
  const out = [name];
  for (;;) {
    const p = g.producer.get(out[out.length - 1]);
    const n = p === undefined ? undefined : g.node(p);
    if (!n || n.opType !== 'Identity' || !n.input[0] || out.includes(n.input[0])) return out;
    out.push(n.input[0]);
  }
}

function dynamicInfo(name: string, elemType: number, rank?: number): ValueInfoProto {
  if (rank === undefined) return { name, type: { tensorType: { elemType } } };
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: Array.from({ length: rank }, (_, i) => ({ dimParam: `${name}_d${i}` })) } } },
  };
}

/** The pooled head as a model of its own: inputs last_hidden_state (+ input_ids), output the pooled tensor. */
export function extractHead(model: ModelProto, a: TowerAnalysis): ModelProto {
  const g = new GraphIndex(model.graph);
  const head = g.ancestors([a.pooled], new Set([a.headInput]));
  const nodes = head.nodes.map((i) => g.node(i));
  const used = new Set(nodes.flatMap((n) => n.input));
  const initializer = model.graph.initializer.filter((t) => t.name && used.has(t.name));
  const seqInfo = model.graph.output.find((o) => o.name === a.sequence);
  const input: ValueInfoProto[] = [dynamicInfo(a.headInput, seqInfo?.type?.tensorType?.elemType ?? a.floatType, 3)];
  for (const name of a.headInputs) {
    const info = model.graph.input.find((i) => i.name === name)!;
    input.push(dynamicInfo(name, info.type?.tensorType?.elemType ?? 7, 2));
  }
  return {
    irVersion: model.irVersion,
    opsetImport: model.opsetImport,
    producerName: 'mvc-playground head extraction',
    producerVersion: '1',
    graph: {
      name: 'pooled_head',
      node: nodes,
      initializer,
      input,
      output: [dynamicInfo(a.pooled, a.floatType, 2)],
      valueInfo: [],
    },
  };
}

/**
 * Adds graph outputs without re-encoding the model: appends a `graph` field holding only the new
 * outputs. Protobuf merges a repeated embedded message field into the one already parsed, so the
 * result is the original graph with more outputs, and a 350 MB model costs one copy, not a decode
 * and re-encode.
 */
export function withExtraOutputs(modelBytes: Uint8Array, outputs: { name: string; elemType: number }[]): Uint8Array {
  if (outputs.length === 0) return modelBytes;
  const fragment = encodeGraph({ output: outputs.map((o) => dynamicInfo(o.name, o.elemType)) });
  const field = protobuf.Writer.create().uint32((7 << 3) | 2).bytes(fragment).finish();
  const out = new Uint8Array(modelBytes.length + field.length);
  out.set(modelBytes, 0);
  out.set(field, modelBytes.length);
  return out;
}
