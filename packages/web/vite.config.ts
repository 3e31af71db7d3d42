import { defineConfig, type UserConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves dist/ at / (packages/server/src/web/web.plugin.ts). No public dir: the
// invitation page stays in public/ and the server serves it from there.
export default defineConfig(({ command }) => {
  // A build is for production whatever NODE_ENV the caller inherited (vitest sets "test"):
  // otherwise React's development build is bundled, three times the size.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return config;
});

const config: UserConfig = {
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
};
