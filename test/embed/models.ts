import ort from 'onnxruntime-node';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadBundle } from '../../src/embed/bundle.ts';
import { Embedder, type Dtype, type OrtModule } from '../../src/embed/embedder.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const nodeOrt = ort as unknown as OrtModule;

/** Generated model folders (npm run models writes them; `pretest:unit` runs it). */
export function modelDir(name: string): string {
  return name === 'teaching-clip' ? join(ROOT, 'public', 'models', name) : join(ROOT, 'test-models', name);
}

export const diskGetter = (dir: string) => async (path: string) => new Uint8Array(await readFile(join(dir, path)));

export async function loadEmbedder(name: string, dtype: Dtype = 'fp32'): Promise<Embedder> {
  const dir = modelDir(name);
  return Embedder.create(nodeOrt, await loadBundle(name, diskGetter(dir), dtype), dtype);
}
