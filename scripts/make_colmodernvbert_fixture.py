"""
Reference values for test/embed/colvision.test.ts, computed independently of the project's
TypeScript:

- the processor's splitting and prompt, ported from FastEmbed (fastembed/image/transform:
  ResizeLongestEdge, ResizeForVisionEncoder, ImageSplitter) and Hugging Face's Idefics3 prompt
  (`_prompt_split_image` / `_prompt_single_image`): tile grid and token counts for portrait,
  landscape, square and tiny pictures and an A4 PDF page, at the processor's longest edge and at
  smaller tile settings;
- a NumPy forward pass of test-models/tiny-colmodernvbert/model.onnx over its initialisers (read
  with onnx.numpy_helper): SigLIP-like vision tower, Idefics3 pixel shuffle, bias-free modality
  projection, the <image> merge, a ModernBERT-like encoder with rotary positions, the 128-d
  projection, L2 normalisation, and the saliency: last-layer attention logits averaged over heads,
  rows = the tokens after the last <image>, columns = the <image> tokens, softmax over those
  columns, mean over the rows.

Pixel values are a formula both sides compute (see pixel() below). Token ids come from a
whole-word lookup in tokenizer.json, the added tokens split out first. Run once after changing the
fixture model:

    npm run models && /usr/bin/python3 scripts/make_colmodernvbert_fixture.py
"""
import json, math, re
import numpy as np
import onnx
from onnx import numpy_helper

ROOT = 'test-models/tiny-colmodernvbert'
m = onnx.load(f'{ROOT}/model.onnx')
W = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
cfg = json.load(open(f'{ROOT}/config.json'))
pre = json.load(open(f'{ROOT}/preprocessor_config.json'))
seq_len = json.load(open(f'{ROOT}/processor_config.json'))['image_seq_len']
tok = json.load(open(f'{ROOT}/tokenizer.json'))
vocab = tok['model']['vocab']
added = {a['content']: a['id'] for a in tok['added_tokens']}
S = pre['max_image_size']['longest_edge']
LONGEST = pre['size']['longest_edge']
vc, tc = cfg['vision_config'], cfg['text_config']
H, heads, eps = tc['hidden_size'], tc['num_attention_heads'], tc['norm_eps']
P, f = vc['patch_size'], cfg['pixel_shuffle_factor']
IMAGE = cfg['image_token_id']

# ---- processor (FastEmbed's transforms, HF's prompt) ----

def resize_longest_edge(w, h, longest):
    ar = w / h
    if w >= h:
        nw, nh = longest, int(longest / ar)
    else:
        nh, nw = longest, int(longest * ar)
    return nw, nh

def resize_for_vision_encoder(w, h, size):
    ar = w / h
    if w >= h:
        nw = math.ceil(w / size) * size
        nh = math.ceil(int(nw / ar) / size) * size
    else:
        nh = math.ceil(h / size) * size
        nw = math.ceil(int(nh * ar) / size) * size
    return nw, nh

def split(w, h, longest):
    w, h = resize_longest_edge(w, h, longest)
    w, h = resize_for_vision_encoder(w, h, S)
    if h > S or w > S:
        return math.ceil(h / S), math.ceil(w / S)
    return 0, 0

def prompt(rows, cols):
    img = '<image>' * seq_len
    if rows == 0:
        body = f'<fake_token_around_image><global-img>{img}<fake_token_around_image>'
    else:
        body = ''
        for r in range(rows):
            for c in range(cols):
                body += f'<fake_token_around_image><row_{r + 1}_col_{c + 1}>{img}'
            body += '\n'
        body += f'\n<fake_token_around_image><global-img>{img}<fake_token_around_image>'
    return f'<|begin_of_text|>User:{body}Describe the image.<end_of_utterance>\nAssistant:'

PUNCT = set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')
def encode(text):
    ids = [vocab['[CLS]']]
    pattern = '(' + '|'.join(re.escape(a) for a in sorted(added, key=len, reverse=True)) + ')'
    for part in re.split(pattern, text):
        if part in added:
            ids.append(added[part])
            continue
        word = ''
        for ch in part.lower():
            if ch.isspace() or ch in PUNCT:
                if word: ids.append(vocab[word]); word = ''
                if ch in PUNCT: ids.append(vocab[ch])
            else:
                word += ch
        if word: ids.append(vocab[word])
    return ids + [vocab['[SEP]']]

# ---- forward pass ----

def ln(x, p):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * W[f'{p}.weight'] + W[f'{p}.bias']

def lin(x, p, bias=True):
    y = x @ W[f'onnx::MatMul_{p}']
    return y + W[f'{p}.bias'] if bias else y

def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))

def softmax(s):
    s = s - s.max(-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(-1, keepdims=True)

def vision(pix):  # pix: tiles x 3 x S x S
    T, g = pix.shape[0], S // P
    w, b = W['model.vision_model.embeddings.patch_embedding.weight'], W['model.vision_model.embeddings.patch_embedding.bias']
    patches = pix.reshape(T, 3, g, P, g, P).transpose(0, 2, 4, 1, 3, 5).reshape(T, g * g, 3 * P * P)
    x = patches @ w.reshape(w.shape[0], -1).T + b + W['model.vision_model.embeddings.position_embedding.weight'][0]
    hd = H // heads
    for l in range(vc['num_hidden_layers']):
        p = f'model.vision_model.encoder.layers.{l}'
        h = ln(x, f'{p}.layer_norm1')
        q, k, v = (lin(h, f'{p}.self_attn.{n}_proj').reshape(T, -1, heads, hd).transpose(0, 2, 1, 3) for n in 'qkv')
        a = softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)) @ v
        x = x + lin(a.transpose(0, 2, 1, 3).reshape(T, -1, H), f'{p}.self_attn.out_proj')
        x = x + lin(gelu_tanh(lin(ln(x, f'{p}.layer_norm2'), f'{p}.mlp.fc1')), f'{p}.mlp.fc2')
    x = ln(x, 'model.vision_model.post_layernorm')
    # Idefics3 pixel_shuffle, as in the torch code (view / permute / reshape).
    G = g // f
    x = x.reshape(T, g, g, H).reshape(T, g, G, H * f).transpose(0, 2, 1, 3).reshape(T, G, G, H * f * f).transpose(0, 2, 1, 3).reshape(T, G * G, H * f * f)
    return lin(x, 'model.connector.modality_projection.proj', bias=False).reshape(-1, H)

def rope(x, L):
    hd = x.shape[-1]
    inv = 1.0 / tc['global_rope_theta'] ** (np.arange(0, hd, 2) / hd)
    a = np.arange(L)[:, None] * inv[None, :]
    cos, sin = np.cos(np.concatenate([a, a], -1)), np.sin(np.concatenate([a, a], -1))
    rot = np.concatenate([-x[..., hd // 2:], x[..., :hd // 2]], -1)
    return x * cos + rot * sin

def forward(ids, pix):
    ids = np.array(ids)
    L, hd = len(ids), H // heads
    x = W['model.text_model.embeddings.tok_embeddings.weight'][ids].copy()
    img = np.where(ids == IMAGE)[0]
    if len(img):
        x[img] = vision(pix)[:len(img)]
    x = ln(x, 'model.text_model.embeddings.norm')
    for l in range(tc['num_hidden_layers']):
        p = f'model.text_model.layers.{l}'
        qkv = lin(ln(x, f'{p}.attn_norm'), f'{p}.attn.Wqkv', bias=False)
        q, k, v = (qkv[:, i * H:(i + 1) * H].reshape(L, heads, hd).transpose(1, 0, 2) for i in range(3))
        logits = rope(q, L) @ rope(k, L).transpose(0, 2, 1) / math.sqrt(hd)
        a = softmax(logits) @ v
        x = x + lin(a.transpose(1, 0, 2).reshape(L, H), f'{p}.attn.Wo', bias=False)
        hi = lin(ln(x, f'{p}.mlp_norm'), f'{p}.mlp.Wi', bias=False)
        I = hi.shape[-1] // 2
        x = x + lin(gelu_tanh(hi[:, :I]) * hi[:, I:], f'{p}.mlp.Wo', bias=False)
    x = ln(x, 'model.text_model.final_norm')
    v = lin(x, 'custom_text_proj')
    v = v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)
    sal = None
    if len(img):
        rows = np.arange(img[-1] + 1, L)
        z = logits.mean(0)[np.ix_(rows, img)]
        sal = softmax(z).mean(0)
    return v, sal

def pixel(T):
    t, c, y, x = np.meshgrid(np.arange(T), np.arange(3), np.arange(S), np.arange(S), indexing='ij')
    return np.sin(0.11 * (x + 1) * (c + 1) + 0.07 * y + 0.9 * t) * 0.9 + 0.05 * np.cos(0.013 * x * y)

shapes = [('portrait', 600, 900), ('landscape', 1200, 500), ('square', 300, 300), ('tiny', 20, 12), ('a4-page', 724, 1024), ('wide-strip', 2000, 90)]
splits = []
for name, w, h in shapes:
    for tiles in (1, 2, 3, 4):
        rows, cols = split(w, h, tiles * S)
        ids = encode(prompt(rows, cols))
        splits.append({'name': name, 'width': w, 'height': h, 'tiles': tiles, 'rows': rows, 'cols': cols,
                       'views': rows * cols + 1, 'tokens': len(ids), 'imageTokens': int(sum(1 for i in ids if i == IMAGE))})

doc_rows, doc_cols = 1, 2
doc_ids = encode(prompt(doc_rows, doc_cols))
dv, ds = forward(doc_ids, pixel(doc_rows * doc_cols + 1))
q_ids = encode('red circle' + '<end_of_utterance>' * 10)
qv, _ = forward(q_ids, np.zeros((1, 3, S, S)))
single_ids = encode(prompt(0, 0))
out = {
    'note': 'generated by scripts/make_colmodernvbert_fixture.py from test-models/tiny-colmodernvbert',
    'imageSize': S, 'longestEdge': LONGEST, 'imageSeqLen': seq_len,
    'splits': splits,
    'singlePrompt': {'ids': single_ids},
    'doc': {'rows': doc_rows, 'cols': doc_cols, 'ids': doc_ids, 'vectors': dv.ravel().tolist(), 'saliency': ds.tolist()},
    'query': {'text': 'red circle', 'ids': q_ids, 'vectors': qv.ravel().tolist()},
}
json.dump(out, open('test/fixtures/colmodernvbert.json', 'w'))
print('wrote test/fixtures/colmodernvbert.json', [(s['name'], s['tiles'], s['rows'], s['cols'], s['tokens']) for s in splits if s['tiles'] == 4], len(doc_ids), len(q_ids))
