/**
 * A BERT encoder as ONNX with the names and node patterns of Optimum's `feature-extraction` export
 * (the `onnx/model.onnx` of Transformers.js repositories): inputs input_ids, attention_mask and
 * token_type_ids, output last_hidden_state, post-LayerNorm layers with unfused attention (a
 * Softmax per layer at `/encoder/layer.N/attention/self/Softmax`) and erf-GELU. ColBERT models are
 * this encoder plus a linear projection, which lives outside the graph (see ./colbert.ts).
 */
import { DataType, type IOSpec } from '../onnx/builder.ts';
import type { ModelProto } from '../onnx/proto.ts';
import { Net, type WeightProvider } from './architecture.ts';

export interface BertSpec {
  hidden: number;
  heads: number;
  layers: number;
  intermediate: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
  /** Every Linear as onnxruntime's quantize_dynamic writes it (q8, `onnx/model_quantized.onnx`). */
  quantize?: boolean;
}

export function buildBertModel(spec: BertSpec, w: WeightProvider): ModelProto {
  const net = new Net(
    {
      family: 'clip',
      hidden: spec.hidden,
      heads: spec.heads,
      layers: spec.layers,
      intermediate: spec.intermediate,
      projection: spec.hidden,
      imageSize: 0,
      patchSize: 0,
      vocabSize: spec.vocabSize,
      maxPositions: spec.maxPositions,
      eosTokenId: 0,
      layerNorm: 'fused',
      quantize: !!spec.quantize,
      layerNormEps: spec.layerNormEps,
      activation: 'gelu-erf',
    },
    w,
  );
  const g = net.g;
  const H = spec.hidden;
  const words = net.param('embeddings.word_embeddings.weight', [spec.vocabSize, H]);
  let x = g.op1('/embeddings/word_embeddings', 'Gather', [words, 'input_ids'], { axis: 0 });
  const shape = g.op1('/embeddings', 'Shape', ['input_ids']);
  const seqLen = g.op1('/embeddings', 'Gather', [shape, g.i64([1])], { axis: 0 });
  const posAll = net.param('embeddings.position_embeddings.weight', [spec.maxPositions, H]);
  const pos = g.op1('/embeddings/position_embeddings', 'Slice', [posAll, g.i64([0]), seqLen, g.i64([0])]);
  const types = net.param('embeddings.token_type_embeddings.weight', [spec.typeVocabSize, H]);
  const tt = g.op1('/embeddings/token_type_embeddings', 'Gather', [types, 'token_type_ids'], { axis: 0 });
  x = g.op1('/embeddings', 'Add', [g.op1('/embeddings', 'Add', [x, tt]), pos]);
  x = net.layerNorm('/embeddings/LayerNorm', x, 'embeddings.LayerNorm', H);

  // The extended attention mask: 0 where attended, a large negative number on padding.
  const am = g.op1('', 'Cast', ['attention_mask'], { to: DataType.FLOAT });
  const inv = g.op1('', 'Sub', [g.f32([1], true), am]);
  const mask = g.op1('', 'Unsqueeze', [g.op1('', 'Mul', [inv, g.f32([-3.4028234663852886e38], true)]), g.i64([1, 2])]);

  for (let l = 0; l < spec.layers; l++) {
    const scope = `/encoder/layer.${l}`;
    const prefix = `encoder.layer.${l}`;
    const att = net.attention(`${scope}/attention/self`, x, x, `${prefix}.attention.self`, mask);
    x = net.layerNorm(`${scope}/attention/output/LayerNorm`, g.op1(`${scope}/attention/output`, 'Add', [att, x]), `${prefix}.attention.output.LayerNorm`, H);
    const h = net.activation(`${scope}/intermediate/intermediate_act_fn`, net.linear(`${scope}/intermediate/dense`, x, `${prefix}.intermediate.dense`, H, spec.intermediate));
    const o = net.linear(`${scope}/output/dense`, h, `${prefix}.output.dense`, spec.intermediate, H);
    x = net.layerNorm(`${scope}/output/LayerNorm`, g.op1(`${scope}/output`, 'Add', [o, x]), `${prefix}.output.LayerNorm`, H);
  }
  g.renameLastOutput('last_hidden_state');
  const dims = ['batch_size', 'sequence_length'];
  const inputs: IOSpec[] = ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({ name, elemType: DataType.INT64, dims }));
  const outputs: IOSpec[] = [{ name: 'last_hidden_state', elemType: DataType.FLOAT, dims: [...dims, H] }];
  return g.build(inputs, outputs, 17);
}
