/**
 * What this thread's WebGPU can do, asked once and cached: an adapter or the reason there is none,
 * and whether it has shader-f16 (fp16 weights). The embedding worker decides its device from it.
 */
import type { DeviceProbe } from './workerTypes.ts';

let probeCache: DeviceProbe | undefined;

export async function probe(): Promise<DeviceProbe> {
  if (probeCache) return probeCache;
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return (probeCache = { webgpu: false, shaderF16: false, reason: 'this browser exposes no WebGPU (navigator.gpu is missing) in workers' });
  try {
    const adapter = (await gpu.requestAdapter()) as { features: Set<string>; info?: { vendor?: string; architecture?: string; description?: string } } | null;
    if (!adapter) return (probeCache = { webgpu: false, shaderF16: false, reason: 'WebGPU is present but no GPU adapter was found' });
    const info = adapter.info;
    return (probeCache = {
      webgpu: true,
      shaderF16: adapter.features.has('shader-f16'),
      adapter: [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown adapter',
    });
  } catch (err) {
    return (probeCache = { webgpu: false, shaderF16: false, reason: `requesting a WebGPU adapter failed: ${(err as Error).message}` });
  }
}
