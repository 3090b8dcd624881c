import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildKernels, generatedModule } from '../../scripts/build-kernels.ts';

describe('kernel build', () => {
  it('the committed WebAssembly (src/kernels/wasm.generated.ts) is a fresh build of kernels/simd.ts', async () => {
    const committed = readFileSync(new URL('../../src/kernels/wasm.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(generatedModule(await buildKernels()));
  });
});
