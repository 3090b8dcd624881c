/**
 * Embedding benchmark in Node: onnxruntime-web (its WASM build, the code the page runs on the
 * CPU) against onnxruntime-node (native CPU) on the same model bytes, single-threaded and with
 * all cores. Figures, not pass/fail; the target in the embedding issue is web >= 0.5 x native.
 *
 * Models: the teaching model (64 x 64 input, tiny), and a random ViT-B/32-shaped CLIP vision
 * tower generated here (224 x 224, 7 x 7 patches, hidden 768, 12 layers; ~88 M parameters) in
 * fp32 and q8, which is the size of the real Xenova/clip-vit-base-patch32 export.
 *
 *   npm run bench:embed -- [--quick]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { buildVisionModel } from '../src/modelgen/architecture.ts';
import { randomWeights, vitB32Spec } from '../src/modelgen/packages.ts';
import { encodeModel } from '../src/onnx/proto.ts';
import { benchColVision } from './colvision.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const root = join(import.meta.dirname, '..');
const cores = cpus().length;

function vitB32(quantize: boolean, layers: number): Uint8Array {
  return encodeModel(buildVisionModel(vitB32Spec(layers, 10, 2, quantize), randomWeights(1)));
}

interface Runtime {
  name: string;
  create(bytes: Uint8Array, threads: number): Promise<{ run(feeds: Record<string, unknown>): Promise<unknown> }>;
  tensor(data: Float32Array, dims: number[]): unknown;
}

const native: Runtime = {
  name: 'onnxruntime-node',
  create: (bytes, threads) => ortNode.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' }),
  tensor: (d, dims) => new ortNode.Tensor('float32', d, dims),
};
const web: Runtime = {
  name: 'onnxruntime-web (wasm)',
  create: (bytes, threads) => {
    ortWeb.env.wasm.numThreads = threads;
    return ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  },
  tensor: (d, dims) => new ortWeb.Tensor('float32', d, dims),
};

async function itemsPerSecond(rt: Runtime, bytes: Uint8Array, size: number, threads: number, minMs: number): Promise<number> {
  const session = await rt.create(bytes, threads);
  const pix = new Float32Array(3 * size * size).map((_, i) => Math.sin(i));
  const feeds = { pixel_values: rt.tensor(pix, [1, 3, size, size]) };
  await session.run(feeds); // warm-up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || n < 3) {
    await session.run(feeds);
    n++;
  }
  return (n * 1000) / (performance.now() - t0);
}

const models: { name: string; bytes: Uint8Array; size: number }[] = [
  { name: 'teaching-clip vision (fp32, 64 px)', bytes: new Uint8Array(readFileSync(join(root, 'public/models/teaching-clip/onnx/vision_model.onnx'))), size: 64 },
];
const layers = values.quick ? 4 : 12;
console.log(`Generating a random ViT-B/32-shaped vision tower (${layers} layers)...`);
models.push({ name: `ViT-B/32-shaped vision, ${layers} layers (fp32, 224 px)`, bytes: vitB32(false, layers), size: 224 });
models.push({ name: `ViT-B/32-shaped vision, ${layers} layers (q8, 224 px)`, bytes: vitB32(true, layers), size: 224 });

const minMs = values.quick ? 1000 : 3000;
console.log(`\nImages per second, batch 1, Node ${process.version}, ${cores} cores; onnxruntime-web ${ortWeb.env.versions.web}\n`);
console.log('| model | threads | onnxruntime-node | onnxruntime-web (wasm) | web / native |');
console.log('|---|---|---|---|---|');
for (const m of models) {
  for (const threads of [...new Set([1, cores])]) {
    const a = await itemsPerSecond(native, m.bytes, m.size, threads, minMs);
    const b = await itemsPerSecond(web, m.bytes, m.size, threads, minMs);
    console.log(`| ${m.name} | ${threads} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
  }
}
console.log('\nTarget (embedding issue): web >= 0.50 x native.');
await benchColVision(values.quick, cores);
process.exit(0);
