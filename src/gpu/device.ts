/**
 * One WebGPU device per context, with the adapter's largest buffer limits, a pipeline cache per
 * device, and loss tracking: once the device is lost every GPU call throws GpuUnavailableError
 * with the reason, and callers fall back to the CPU path and say so.
 */

export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
}

export interface GpuContext {
  device: GPUDevice;
  /** "vendor architecture description" of the adapter, for reports. */
  adapter: string;
  /** True on software adapters (SwiftShader), whose timings are not GPU speed. */
  software: boolean;
  /** Largest single storage binding and buffer, in bytes. */
  maxBinding: number;
  lost?: string;
}

let shared: Promise<GpuContext> | undefined;

/** The shared context (created on first use); rejects with GpuUnavailableError when there is none. */
export function gpuContext(): Promise<GpuContext> {
  shared ??= createContext().catch((err) => {
    shared = undefined;
    throw err instanceof GpuUnavailableError ? err : new GpuUnavailableError(`could not open a WebGPU device: ${(err as Error).message}`);
  });
  return shared.then((ctx) => {
    if (ctx.lost) {
      shared = undefined; // the next call tries a new device
      throw new GpuUnavailableError(`the GPU device was lost (${ctx.lost})`);
    }
    return ctx;
  });
}

async function createContext(): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new GpuUnavailableError('this browser exposes no WebGPU (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new GpuUnavailableError('WebGPU is present but no GPU adapter was found');
  // Whole 16-byte units: buffers are allocated in multiples of 16 (storageBuffer).
  const maxBinding = Math.floor(Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize) / 16) * 16;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(8, adapter.limits.maxStorageBuffersPerShaderStage),
    },
  });
  const info = adapter.info;
  const name = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
  const ctx: GpuContext = { device, adapter: name, software: /swiftshader|llvmpipe|software|cpu/i.test(name) || (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true, maxBinding };
  void device.lost.then((info) => {
    ctx.lost = info.message || info.reason || 'unknown reason';
  });
  return ctx;
}

const pipelines = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/**
 * A compute pipeline compiled once per device and kernel (asynchronously, so a shader that does
 * not compile is reported here, with the compiler's message, and is not cached).
 */
export function pipeline(device: GPUDevice, key: string, code: () => string): Promise<GPUComputePipeline> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  let p = cache.get(key);
  if (!p) {
    const module = device.createShaderModule({ code: code(), label: key });
    p = device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key }).catch(async (err) => {
      cache.delete(key);
      const info = await module.getCompilationInfo().catch(() => undefined);
      const messages = info?.messages.filter((m) => m.type === 'error').map((m) => `line ${m.lineNum}: ${m.message}`).join('; ');
      throw new GpuUnavailableError(`the ${key} kernel did not compile: ${messages || (err as Error).message}`);
    });
    cache.set(key, p);
  }
  return p;
}

/** Number of pipelines compiled for a device (tests check the cache). */
export function pipelineCount(device: GPUDevice): number {
  return pipelines.get(device)?.size ?? 0;
}

export function storageBuffer(device: GPUDevice, data: ArrayBufferView, label: string, extraUsage = 0): GPUBuffer {
  const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
  const buf = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage, label, mappedAtCreation: true });
  new Uint8Array(buf.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buf.unmap();
  return buf;
}

export function uniformBuffer(device: GPUDevice, values: number[], label: string): GPUBuffer {
  const data = new Uint32Array(Math.ceil(values.length / 4) * 4);
  data.set(values);
  const buf = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
  device.queue.writeBuffer(buf, 0, data);
  return buf;
}

/**
 * Submits the encoder (if given) with a copy of `src` into a staging buffer, and reads it back.
 * Errors recorded while encoding surface at finish/submit, so those run inside an error scope:
 * an invalid command buffer would otherwise map a staging buffer of zeros.
 */
export async function readBack(ctx: GpuContext, src: GPUBuffer, bytes: number, encoder?: GPUCommandEncoder): Promise<ArrayBuffer> {
  const { device } = ctx;
  const staging = device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    await checked(ctx, 'running the kernel', () => {
      const enc = encoder ?? device.createCommandEncoder();
      enc.copyBufferToBuffer(src, 0, staging, 0, staging.size);
      device.queue.submit([enc.finish()]);
    });
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (err) {
      throw new GpuUnavailableError(ctx.lost ? `the GPU device was lost (${ctx.lost})` : `reading results back failed: ${(err as Error).message}`);
    }
    return staging.getMappedRange().slice(0);
  } finally {
    staging.destroy();
  }
}

/**
 * Runs f inside out-of-memory and validation error scopes, which are always popped. Anything that
 * goes wrong (a captured error, an exception from f, a lost device) is a GpuUnavailableError, so
 * callers fall back to the CPU.
 */
export async function checked<T>(ctx: GpuContext, what: string, f: () => T): Promise<T> {
  const { device } = ctx;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let value: T | undefined;
  let thrown: unknown;
  try {
    value = f();
  } catch (err) {
    thrown = err;
  }
  const validation = await device.popErrorScope().catch(() => null);
  const oom = await device.popErrorScope().catch(() => null);
  if (ctx.lost) throw new GpuUnavailableError(`the GPU device was lost (${ctx.lost})`);
  if (oom) throw new GpuUnavailableError(`${what}: the GPU ran out of memory (${oom.message})`);
  if (validation) throw new GpuUnavailableError(`${what}: WebGPU validation error: ${validation.message}`);
  if (thrown !== undefined) throw thrown instanceof GpuUnavailableError ? thrown : new GpuUnavailableError(`${what}: ${(thrown as Error).message ?? thrown}`);
  return value as T;
}

/** A 2-D dispatch for `count` workgroups within the per-dimension limit. */
export function grid(device: GPUDevice, count: number): [number, number] {
  const max = device.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.max(1, Math.min(count, max));
  return [x, Math.ceil(count / x)];
}
