import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves dist/ at / (packages/server/src/web/web.plugin.ts). No public dir: the
// invitation page stays in public/ and the server serves it from there.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows same-origin scripts only: no inlined module preload polyfill.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
