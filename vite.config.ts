import { defineConfig } from 'vite';

// Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer). The Hub
// serves model files with CORS, which require-corp accepts.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  // onnxruntime-web finds its .wasm next to itself; pre-bundling would move it.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { port: 5173, headers: isolation },
  preview: { port: 4173, strictPort: true, headers: isolation },
});
