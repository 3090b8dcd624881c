/**
 * Points onnxruntime-web at its WASM binary served by this site (never a CDN). Imported before
 * Transformers.js, which otherwise sets a jsDelivr URL when none is set.
 */
import * as ort from 'onnxruntime-web/webgpu';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import mjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';

ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, self.location.href).href, mjs: new URL(mjsUrl, self.location.href).href };
// Threads need cross-origin isolation (SharedArrayBuffer); the dev and preview servers send the
// COOP/COEP headers for it.
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';
