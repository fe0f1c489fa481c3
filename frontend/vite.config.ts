/**
 * Vite build for the builder page; Django serves the output through django-vite.
 *
 * `base` matches Django's STATIC_URL and the manifest lets django-vite map
 * `src/main.tsx` to the hashed bundle in `dist/`, which is a STATICFILES_DIRS entry.
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  base: "/static/",
  build: {
    manifest: true,
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: "src/main.tsx",
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    // Asset URLs in dev must point at the Vite server, not at Django's origin.
    origin: "http://localhost:5173",
    cors: true,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
