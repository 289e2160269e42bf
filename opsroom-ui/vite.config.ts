import { defineConfig } from 'vite';

/**
 * The ops room is served by the opsroom server from the same origin (`/`), so the build has
 * no inline scripts (a CSP forbids them) and every asset is a file under `dist/assets`.
 * `npm run dev -w @opsroom/ui` proxies the API and socket.io to a running server
 * (OPSROOM_URL, default http://127.0.0.1:8080) for layout work.
 */
const target = process.env.OPSROOM_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Inline assets would become data: URLs that a strict CSP may refuse.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: true,
    // three.js alone is ~560 kB minified; it is its own chunk, loaded only when WebGL works.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/socket.io': { target, ws: true },
    },
  },
});
