import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two pages, one build: the storefront (index.html, served at / and /orders/{id})
 * and the console (console/index.html, at /console/). Everything is bundled:
 * no CDN, no web fonts, nothing from another origin. In development
 * (`vite` on 5173) the API is proxied to a running gateway.
 */
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['@shopfront/source'] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input: {
        storefront: fileURLToPath(new URL('index.html', import.meta.url)),
        console: fileURLToPath(new URL('console/index.html', import.meta.url)),
      },
    },
  },
  server: { proxy: { '/v1': process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000', '/web-config.json': process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000' } },
  test: { environment: 'happy-dom', include: ['src/**/*.test.tsx', 'src/**/*.test.ts'] },
});
