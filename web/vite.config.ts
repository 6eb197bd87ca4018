import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into web/dist, which the API serves at /admin/ (src/http/back-office.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  // `npm run web:dev`: the API on :3000 answers /api; the session cookie stays same-origin.
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
