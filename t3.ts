import ort from 'onnxruntime-node';
import { readFile } from 'node:fs/promises';
import { loadBundle } from './src/embed/bundle.ts';
import { Embedder } from './src/embed/embedder.ts';
import { demoCorpus, renderScene } from './src/demo/scenes.ts';
import { rgbaToPixelValues } from './src/embed/preprocess.ts';
import { packCorpus, maxSimScores, topK } from './src/core/maxsim.ts';
import { ndcgAt, recallAt } from './src/core/metrics.ts';
const dir = 'public/models/teaching-clip';
const b = await loadBundle(dir, (p) => readFile(`${dir}/${p}`).then((x) => new Uint8Array(x)), 'fp32');
const e = await Embedder.create(ort as any, b, 'fp32');
const c = demoCorpus(60, 3);
const S = e.size;
const docs = [];
for (const sc of c.scenes) {
  const pix = new Float32Array(3 * S * S);
  rgbaToPixelValues(renderScene(sc, S), S, b.preprocessor, pix);
  const v = await e.embedViews(pix, 1);
  docs.push({ id: sc.id, n: v.patches, d: v.d, data: v.vectors });
}
const corpus = packCorpus(docs);
let nd = 0, r1 = 0, rnd = 0;
for (const q of c.queries) {
  const qe = await e.embedQuery(q.text);
  const scores = maxSimScores(qe.vectors, qe.n, corpus);
  const ranking = topK(scores, 10).map((h) => corpus.ids[h.doc]);
  const rel = c.qrels.get(q.id)!;
  nd += ndcgAt(ranking, rel, 10); r1 += recallAt(ranking, rel, 10);
  rnd += rel.size / c.scenes.length;
}
console.log('queries', c.queries.length, 'nDCG@10', (nd / c.queries.length).toFixed(3), 'R@10', (r1 / c.queries.length).toFixed(3), 'mean relevant fraction', (rnd / c.queries.length).toFixed(3));
