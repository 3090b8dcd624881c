/**
 * The name of the error the embedding worker's `load` throws when WebGPU failed to run a model:
 * the client then loads it on WASM in a fresh worker (see `EmbedClient.load`). Its own module so
 * that the page can read it without importing the worker's code.
 */
export const WEBGPU_LOAD_FAILED = 'WebGpuLoadFailed';
