// Builds the Twingraph Explorer into explorer/dist, served by the API at /explorer (src/api/explorer.ts).
// `npm run build:explorer`; the paths are relative to this file so that the build works from any directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/explorer/',
  publicDir: false,
  // Preact's automatic JSX runtime: components are plain functions, no React compatibility layer.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // One chunk for the app, one per heavy view (graph, editor), loaded when first opened.
    chunkSizeWarningLimit: 700,
    reportCompressedSize: true,
  },
  // `vite --config explorer/vite.config.ts` for development: API calls go to a Twingraph on port 4000.
  server: {
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});
