import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { join } from 'node:path';

// The doctor's workspace: web/doctor/index.html (sources in web/src/doctor), built into
// web/dist-doctor, which the API serves at /doctor/ (src/http/back-office.ts). Its own build, so
// the phone loads MUI and the workspace only, never react-admin.
export default defineConfig({
  root: join(import.meta.dirname, 'doctor'),
  base: '/doctor/',
  plugins: [react()],
  // React, MUI and the workspace: about 170 kB gzipped, one file (the phone caches it for a year).
  build: { outDir: join(import.meta.dirname, 'dist-doctor'), emptyOutDir: true, chunkSizeWarningLimit: 700 },
  // `vite --config web/vite.doctor.config.ts`: the API on :3000 answers /api, cookie same-origin.
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
