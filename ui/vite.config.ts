import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// The server serves dist/ui/ at `/`; relative asset URLs keep the bundle working under any prefix.
export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    // `vite --config ui/vite.config.ts` during development, against a running `sluice serve`.
    proxy: { '/api': process.env.SLUICE_URL ?? 'http://127.0.0.1:7070' },
  },
});
