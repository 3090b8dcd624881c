import { defineConfig, type Plugin } from 'vite';

// Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer). The Hub
// serves model files with CORS, which require-corp accepts.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The built page's Content-Security-Policy: nothing but this origin, plus the model hosts (the
 * Hub and its file CDNs by default; MODEL_HOSTS="https://a https://b" to serve other mirrors).
 * 'wasm-unsafe-eval' is onnxruntime-web's WebAssembly. No 'unsafe-eval': the ONNX codecs are
 * static code (src/onnx/onnx.static.js) instead of protobufjs's run-time new Function().
 */
const modelHosts = process.env.MODEL_HOSTS ?? 'https://huggingface.co https://*.huggingface.co https://*.hf.co';
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  `connect-src 'self' blob: data: ${modelHosts}`,
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  // Trusted Types: strings reach no HTML or script sink; script URLs pass src/trustedTypes.ts's policy.
  "require-trusted-types-for 'script'",
  'trusted-types default',
].join('; ');

/** The dev server's policy: the same, plus its HMR websocket. */
export const DEV_CSP = CSP.replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*");

/**
 * The policy also as a <meta> in every built page, so a copy of dist/ on any static host (which
 * sends no headers of ours) is still protected. A meta policy cannot carry frame-ancestors or
 * reports, and the workers' scripts get only what their host sends.
 */
const cspMeta = (): Plugin => ({
  name: 'csp-meta',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
});

export default defineConfig({
  plugins: [cspMeta()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    // Two pages: the playground and the scale test (large indexes, CPU and WebGPU search).
    rollupOptions: { input: { main: 'index.html', scale: 'scale.html' } },
  },
  // onnxruntime-web finds its .wasm next to itself; pre-bundling would move it. The workers are
  // scanned at start too: a dependency first met when a worker starts would make the dev server
  // re-bundle and reload the page in the middle of a run (seen on a fresh clone).
  optimizeDeps: { exclude: ['onnxruntime-web'], entries: ['index.html', 'scale.html', 'workers/*.worker.ts'] },
  server: { port: 5173, headers: { ...isolation, 'Content-Security-Policy': DEV_CSP } },
  preview: { port: 4173, strictPort: true, headers: { ...isolation, 'Content-Security-Policy': CSP } },
});
