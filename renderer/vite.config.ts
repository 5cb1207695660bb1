// Vite build of the web UI: renderer/ -> renderer/dist, served by the bridge at / (bridge/ui).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The config may be run from the repository root (npm run build:ui) or from here; anchor paths on this file.
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

// `vite` (dev server) proxies the API and socket.io to a bridge on its default port.
const bridge = 'http://127.0.0.1:8000';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': bridge,
      '/ssh': bridge,
      '/vpn': bridge,
      '/icons': bridge,
      '/socket.io': { target: bridge, ws: true },
    },
  },
});
