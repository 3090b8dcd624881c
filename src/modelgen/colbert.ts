/**
 * `tiny-colbert`: a ColBERT-shaped text model folder in the layout of
 * answerdotai/answerai-colbert-small-v1 with its PyLate files (see src/embed/colbert.ts): a BERT
 * encoder at onnx/model.onnx (and a q8 onnx/model_quantized.onnx), a WordPiece tokenizer with
 * bert-base-uncased's special ids, the projection in 1_Dense/model.safetensors, and PyLate's
 * settings in config_sentence_transformers.json. Random (seeded) weights, small attention and MLP
 * outputs beside the residual stream, so a token's vector is mostly its word's: retrieval by shared
 * words works (above chance), which is what the tests need; it is not a language model.
 */
import { writeSafetensors } from '../core/safetensors.ts';
import { encodeModel } from '../onnx/proto.ts';
import { buildBertModel, type BertSpec } from './bert.ts';
import { randomWeights, type ModelFiles } from './weights.ts';
import { PUNCTUATION, wordPieceTokenizer } from './wordpiece.ts';

const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

/** Words the fixture's vocabulary holds whole (others are spelled out in ## pieces). */
export const COLBERT_WORDS = [
  'the', 'a', 'of', 'and', 'in', 'is', 'on', 'with', 'to', 'it',
  'red', 'green', 'blue', 'yellow', 'apple', 'banana', 'cherry', 'river', 'mountain', 'forest',
  'ocean', 'desert', 'city', 'train', 'bicycle', 'guitar', 'piano', 'violin', 'planet', 'comet',
  'galaxy', 'bread', 'cheese', 'coffee', 'tea', 'rain', 'snow', 'storm', 'sun', 'moon',
  // The demo scenes' captions and queries ("a red circle at the top left"), read by a text model.
  'black', 'magenta', 'cyan', 'circle', 'square', 'triangle', 'shape', 'at', 'top', 'bottom', 'left', 'right',
];

export function tinyColbert(seed = 11): ModelFiles {
  const tok = wordPieceTokenizer(COLBERT_WORDS, 512);
  const spec: BertSpec = { hidden: 32, heads: 4, layers: 2, intermediate: 64, vocabSize: tok.vocab.size, maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12 };
  const base = randomWeights(seed);
  // BERT's parameter names say "LayerNorm"; attention and MLP outputs are damped beside the residual.
  const w = (name: string, dims: number[]) => {
    const v = base(name.replace('LayerNorm', 'layer_norm'), dims);
    const damp = /(position|token_type)_embeddings/.test(name) ? 0.1 : /(out_proj|output\.dense)\.weight$/.test(name) ? 0.5 : 1;
    for (let i = 0; i < v.length; i++) v[i] *= damp;
    // [MASK] shares the document marker's embedding: an expansion token's best match is then the
    // [D] token every document has, about equally everywhere, and ranking is left to the query's
    // words. (A trained ColBERT learns useful expansions; a random model's would be noise that
    // swamps a short query: 28 expansion tokens against 2 words.)
    if (name === 'embeddings.word_embeddings.weight') v.copyWithin(tok.specials.mask * dims[1], tok.specials.d * dims[1], (tok.specials.d + 1) * dims[1]);
    return v;
  };
  const D = 16;
  const files: ModelFiles = new Map();
  files.set(
    'config.json',
    json({
      _name_or_path: 'tiny-colbert',
      architectures: ['HF_ColBERT'],
      model_type: 'bert',
      hidden_size: spec.hidden,
      num_attention_heads: spec.heads,
      num_hidden_layers: spec.layers,
      intermediate_size: spec.intermediate,
      hidden_act: 'gelu',
      vocab_size: spec.vocabSize,
      max_position_embeddings: spec.maxPositions,
      type_vocab_size: spec.typeVocabSize,
      layer_norm_eps: spec.layerNormEps,
      pad_token_id: 0,
    }),
  );
  files.set('tokenizer.json', json(tok.tokenizer));
  files.set('tokenizer_config.json', json(tok.config));
  files.set('special_tokens_map.json', json({ cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]', unk_token: '[UNK]' }));
  files.set('onnx/model.onnx', encodeModel(buildBertModel(spec, w)));
  files.set('onnx/model_quantized.onnx', encodeModel(buildBertModel({ ...spec, quantize: true }, w)));
  const dense = base('linear.weight', [D, spec.hidden]).map((x) => x * 2);
  files.set('1_Dense/model.safetensors', writeSafetensors({ 'linear.weight': { dtype: 'F32', shape: [D, spec.hidden], data: dense } }));
  files.set('1_Dense/config.json', json({ in_features: spec.hidden, out_features: D, bias: false, activation_function: 'torch.nn.modules.linear.Identity' }));
  files.set(
    'config_sentence_transformers.json',
    json({
      query_prefix: '[unused0]',
      document_prefix: '[unused1]',
      query_length: 32,
      document_length: 180,
      attend_to_expansion_tokens: false,
      skiplist_words: [...PUNCTUATION],
      similarity_fn_name: 'MaxSim',
      do_query_expansion: true,
    }),
  );
  files.set('modules.json', json([
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Dense', type: 'pylate.models.Dense.Dense' },
  ]));
  files.set('sentence_bert_config.json', json({ max_seq_length: 179, do_lower_case: false }));
  return files;
}
