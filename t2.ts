import ort from 'onnxruntime-node';
import { readFile } from 'node:fs/promises';
import { loadBundle } from './src/embed/bundle.ts';
import { Embedder } from './src/embed/embedder.ts';
for (const dir of ['public/models/teaching-clip', 'test-models/tiny-clip', 'test-models/tiny-clip-decomposed', 'test-models/tiny-siglip']) {
  for (const dtype of ['fp32', 'q8'] as const) {
    try {
      const b = await loadBundle(dir, (p) => readFile(`${dir}/${p}`).then((x) => new Uint8Array(x)), dtype);
      const e = await Embedder.create(ort as any, b, dtype);
      const S = e.size;
      const v = await e.embedViews(new Float32Array(2 * 3 * S * S).fill(0.3), 2);
      const q = await e.embedQuery('a red circle at top left');
      console.log(dir, dtype, e.selfCheckReport!.message, 'sal', e.saliencyNote, 'P', v.patches, 'd', v.d, 'salsum', v.saliency?.slice(0, v.patches).reduce((a, b) => a + b, 0).toFixed(3), 'q', q.n, q.droppedZero);
    } catch (err) { console.log(dir, dtype, 'ERR', (err as Error).message); }
  }
}
