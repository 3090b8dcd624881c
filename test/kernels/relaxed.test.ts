import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

describe('relaxed-SIMD kernels (fused multiply-add), where the engine has them', () => {
  it('are chosen when the engine validates them, and score within the float32 bound of brute force', () => {
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', join(root, 'test/kernels/relaxedCheck.ts')], { encoding: 'utf8', cwd: root });
    expect(r.stderr.replace(/.*npm warn.*\n?/g, '')).toBe('');
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.status).toBe('WebAssembly SIMD (f32x4, relaxed-SIMD fused multiply-add)');
    expect(out.checked).toBeGreaterThan(100);
    expect(out.worst).toBeLessThanOrEqual(1);
    expect(out.winnerMismatches).toBe(0);
    expect(out.centroidsOwnCluster).toBe(true);
  });

  it('are not used where the engine lacks relaxed SIMD (this Node without the flag): the plain build runs', async () => {
    const { kernelStatus } = await import('../../src/kernels/space.ts');
    expect(kernelStatus()).toBe('WebAssembly SIMD (f32x4)');
  });
});
