/**
 * A BERT WordPiece tokenizer in the Hugging Face `tokenizer.json` format (BertNormalizer with
 * lower-casing, BertPreTokenizer, WordPiece with "##" continuations, [CLS] ... [SEP]), with the
 * special tokens at bert-base-uncased's ids: [PAD] 0, [unused0] 1, [unused1] 2 (ColBERT's [Q] and
 * [D] markers), ..., [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103. The vocabulary is tiny: the given
 * words, then every single character and its "##" continuation, so any ASCII text tokenizes.
 */

const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Python's string.punctuation: the characters ColBERT leaves out of document vectors. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export interface WordPieceFiles {
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
  vocab: Map<string, number>;
  specials: { pad: number; unk: number; cls: number; sep: number; mask: number; q: number; d: number };
}

export function wordPieceTokenizer(words: string[], maxLength: number, extraSpecial: string[] = []): WordPieceFiles {
  const vocab = new Map<string, number>();
  const add = (t: string) => {
    if (!vocab.has(t)) vocab.set(t, vocab.size);
  };
  add('[PAD]');
  for (let i = 0; i < 99; i++) add(`[unused${i}]`);
  add('[UNK]');
  add('[CLS]');
  add('[SEP]');
  add('[MASK]');
  for (const c of PUNCTUATION) add(c);
  for (const c of CHARS) add(c);
  for (const c of CHARS) add(`##${c}`);
  for (const w of words) add(w.toLowerCase());
  for (const t of extraSpecial) add(t);
  const id = (t: string) => vocab.get(t)!;
  const special = (t: string) => ({ id: id(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...extraSpecial].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab) },
  };
  const config = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: maxLength,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    mask_token: '[MASK]',
    unk_token: '[UNK]',
    clean_up_tokenization_spaces: true,
    strip_accents: null,
    tokenize_chinese_chars: true,
  };
  return {
    tokenizer,
    config,
    vocab,
    specials: { pad: 0, unk: id('[UNK]'), cls: id('[CLS]'), sep: id('[SEP]'), mask: id('[MASK]'), q: id('[unused0]'), d: id('[unused1]') },
  };
}
