/**
 * Small tokenizer files in the Hugging Face `tokenizer.json` format, structured like CLIP's
 * (byte-level BPE with an end-of-word suffix, lower-casing, <|startoftext|> ... <|endoftext|>) and
 * SigLIP's (SentencePiece Unigram with the Metaspace pre-tokenizer, </s> appended, padded to a
 * fixed length). The vocabularies are tiny; words outside them fall back to single characters.
 */

const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface TokenizerFiles {
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
  vocab: Map<string, number>;
  specials: { bos?: number; eos: number; pad: number; unk: number };
}

function specialToken(id: number, content: string, normalized = false) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized, special: true };
}

/** Applies BPE merges (lowest rank first) to one word's symbols. */
function bpe(symbols: string[], ranks: Map<string, number>): string[] {
  const s = [...symbols];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < s.length; i++) {
      const r = ranks.get(`${s[i]} ${s[i + 1]}`);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) return s;
    s.splice(best, 2, s[best] + s[best + 1]);
  }
}

function wordSymbols(word: string): string[] {
  const chars = [...word];
  chars[chars.length - 1] += '</w>';
  return chars;
}

/**
 * CLIP-style BPE over `words`: merges are added until each word is a single token. A new merge
 * has the lowest priority so far, so it never changes how earlier words tokenize.
 */
export function clipTokenizer(words: string[], maxLength: number): TokenizerFiles {
  const vocab = new Map<string, number>();
  const add = (t: string) => {
    if (!vocab.has(t)) vocab.set(t, vocab.size);
  };
  for (const c of LETTERS) add(c);
  for (const c of LETTERS) add(`${c}</w>`);
  const merges: string[] = [];
  const ranks = new Map<string, number>();
  for (const word of words) {
    for (;;) {
      const toks = bpe(wordSymbols(word), ranks);
      if (toks.length === 1) break;
      const pair = `${toks[0]} ${toks[1]}`;
      ranks.set(pair, merges.length);
      merges.push(pair);
      add(toks[0] + toks[1]);
    }
  }
  const bos = vocab.size;
  add('<|startoftext|>');
  const eos = vocab.size;
  add('<|endoftext|>');
  const special = (id: number, content: string) => specialToken(id, content, content === '<|startoftext|>');
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(bos, '<|startoftext|>'), special(eos, '<|endoftext|>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['<|endoftext|>', eos],
      cls: ['<|startoftext|>', bos],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
  const config = {
    tokenizer_class: 'CLIPTokenizer',
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    model_max_length: maxLength,
    do_lower_case: true,
    clean_up_tokenization_spaces: true,
  };
  return { tokenizer, config, vocab, specials: { bos, eos, pad: eos, unk: eos } };
}

/** SigLIP-style Unigram tokenizer: `▁word` pieces, `</s>` appended, padded with `</s>` to maxLength. */
export function sigLipTokenizer(words: string[], maxLength: number): TokenizerFiles {
  const pieces: [string, number][] = [
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
  ];
  for (const w of words) pieces.push([`▁${w}`, -2]);
  pieces.push(['▁', -4]);
  for (const c of LETTERS) pieces.push([c, -6]);
  const vocab = new Map(pieces.map(([p], i) => [p, i]));
  const special = (id: number, content: string) => specialToken(id, content);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>')],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, vocab: pieces, byte_fallback: false },
  };
  const config = {
    tokenizer_class: 'SiglipTokenizer',
    eos_token: '</s>',
    pad_token: '</s>',
    unk_token: '<unk>',
    model_max_length: maxLength,
    do_lower_case: true,
  };
  return { tokenizer, config, vocab, specials: { eos: 1, pad: 1, unk: 2 } };
}
