/** Writes test-models/bench-vit-b32/ (random, ViT-B/32 shapes, 4 layers per tower) for bench:browser. */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { benchModel } from '../src/modelgen/packages.ts';

const dir = join(import.meta.dirname, '..', 'test-models', 'bench-vit-b32');
if (!existsSync(join(dir, 'onnx', 'text_model_quantized.onnx'))) {
  for (const [path, data] of benchModel(4)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
}
console.log(`bench model: ${dir}`);
