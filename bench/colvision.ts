/**
 * ColModernVBERT in the embedding benchmark (`npm run bench:embed`): pages per second through the
 * project's own embedder (src/embed/colvision.ts: prompt, tokenizer, graph, saliency) with the
 * tiny generated model on onnxruntime-web's WASM build; and a random-weight model of the real
 * model's shapes (src/modelgen/colmodernvbert.ts, COLMODERNVBERT_SHAPES, ~250M parameters, ~1 GB
 * fp32) on onnxruntime-web (WASM) against onnxruntime-node on the same bytes: seconds per page
 * at the global view alone (tile setting 1), 2 x 1 tiles + global, and the processor's maximum,
 * 4 x 4 tiles + global. Figures, never pass/fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { ColVisionEmbedder } from '../src/embed/colvision.ts';
import { loadColVisionBundle } from '../src/embed/colvisionBundle.ts';
import type { OrtModule } from '../src/embed/tower.ts';
import { buildColVisionModel, COLMODERNVBERT_SHAPES } from '../src/modelgen/colmodernvbert.ts';
import { randomWeights } from '../src/modelgen/weights.ts';
import { encodeModel } from '../src/onnx/proto.ts';

const root = join(import.meta.dirname, '..');

async function tinyPagesPerSecond(threads: number, minMs: number): Promise<number> {
  const dir = join(root, 'test-models', 'tiny-colmodernvbert');
  const files = new Map(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
  ortWeb.env.wasm.numThreads = threads;
  const e = await ColVisionEmbedder.create(ortWeb as unknown as OrtModule, loadColVisionBundle('tiny-colmodernvbert', files), 'fp32', { executionProviders: ['wasm'] });
  const S = e.bundle.imageSize;
  // A page at the processor's maximum: 4 x 3 tiles + global (an A4 page), 13 views.
  const page = { id: 'p', rows: 4, cols: 3, pixels: Float32Array.from({ length: 13 * 3 * S * S }, (_, i) => Math.sin(i * 0.01)) };
  await e.embedPages([page]);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || n < 3) {
    await e.embedPages([page]);
    n++;
  }
  await e.release();
  return (n * 1000) / (performance.now() - t0);
}

/** Seconds for one page of `views` views through a session (one warm-up run first when `warm`). */
async function secondsPerPage(session: { run(f: Record<string, unknown>): Promise<unknown> }, Tensor: typeof ortNode.Tensor, views: number, warm: boolean): Promise<number> {
  const spec = COLMODERNVBERT_SHAPES;
  const S = spec.imageSize;
  const seq = (S / spec.patchSize / spec.shuffle) ** 2;
  // The prompt's shape: 40 text tokens around views x 64 <image> tokens.
  const L = views * seq + 40;
  const ids = BigInt64Array.from({ length: L }, (_, t) => BigInt(t >= 20 && t < 20 + views * seq ? spec.imageTokenId : 100 + (t % 50)));
  const feeds = {
    input_ids: new Tensor('int64', ids, [1, L]),
    attention_mask: new Tensor('int64', new BigInt64Array(L).fill(1n), [1, L]),
    pixel_values: new Tensor('float32', Float32Array.from({ length: views * 3 * S * S }, (_, i) => Math.sin(i * 0.001)), [1, views, 3, S, S]),
  };
  if (warm) await session.run(feeds);
  const t0 = performance.now();
  await session.run(feeds);
  return (performance.now() - t0) / 1000;
}

export async function benchColVision(quick: boolean, cores: number): Promise<void> {
  console.log('\n## ColModernVBERT\n');
  console.log('| tiny-colmodernvbert through the embedder, 13-view page | threads | pages / s (onnxruntime-web, wasm) |');
  console.log('|---|---|---|');
  for (const threads of [...new Set([1, cores])]) console.log(`| prompt + graph + saliency | ${threads} | ${(await tinyPagesPerSecond(threads, quick ? 1000 : 3000)).toFixed(1)} |`);
  const spec = quick ? { ...COLMODERNVBERT_SHAPES, visionLayers: 2, textLayers: 4 } : COLMODERNVBERT_SHAPES;
  console.log(`\nGenerating a random model of ColModernVBERT's shapes (${spec.visionLayers} vision layers, ${spec.textLayers} text layers)...`);
  const t0 = performance.now();
  const bytes = encodeModel(buildColVisionModel(spec, randomWeights(3), 8192));
  console.log(`${(bytes.length / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  console.log(`| views (tile setting) | tokens | threads | onnxruntime-node s/page | onnxruntime-web (wasm) s/page | web / native time |`);
  console.log('|---|---|---|---|---|---|');
  const node = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: cores, graphOptimizationLevel: 'all' });
  ortWeb.env.wasm.numThreads = cores;
  const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  for (const [views, label] of [[1, 'global view alone (1)'], [3, '2 x 1 + global (2)'], [17, '4 x 4 + global (4, the maximum)']] as const) {
    if (quick && views > 3) continue;
    const a = await secondsPerPage(node, ortNode.Tensor, views, views < 17);
    const b = await secondsPerPage(web as never, ortWeb.Tensor as unknown as typeof ortNode.Tensor, views, views < 17);
    console.log(`| ${views} (${label}) | ${views * 64 + 40} | ${cores} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)} |`);
  }
  await node.release();
  await web.release();
}
