/**
 * Writes the generated model folders (Hugging Face layout):
 *   public/models/teaching-clip/   the built-in offline teaching model, shipped with the app
 *   test-models/<name>/            tiny random CLIP-like and SigLIP-like models for tests
 * Deterministic: the same bytes on every run. Run by `npm run models` (and before dev, build, test).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { allGeneratedModels } from '../src/modelgen/packages.ts';

const root = join(import.meta.dirname, '..');
for (const [name, make] of Object.entries(allGeneratedModels())) {
  const dir = name === 'teaching-clip' ? join(root, 'public', 'models', name) : join(root, 'test-models', name);
  let bytes = 0;
  for (const [path, data] of make()) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
    bytes += data.length;
  }
  console.log(`${name}: ${(bytes / 1024).toFixed(0)} KiB -> ${dir}`);
}
