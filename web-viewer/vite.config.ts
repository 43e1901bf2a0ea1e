import { defineConfig } from 'vite';

// Built into web-viewer/dist and served by the panoptic-stream server at `/`.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, target: 'es2022' },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/ws': { target: 'ws://127.0.0.1:8080', ws: true }, '/whep': 'http://127.0.0.1:8080' } },
});
