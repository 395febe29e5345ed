/**
 * Builds the replay page into viewer/dist ahead of time (`npm run build:viewer`), so that
 * `propamine view` only serves static files. Relative asset paths keep the page working
 * under any mount point.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // three.js alone is ~700 kB minified; the page is served from loopback, so one chunk is fine.
    chunkSizeWarningLimit: 1500,
  },
});
