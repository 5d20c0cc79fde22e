// SPDX-License-Identifier: Apache-2.0
/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// `lottery serve` serves dist/ and the API from one origin; in `npm run dev` the API and the
// WebSocket are proxied to a running service (LOTTERY_DEV_API, default http://127.0.0.1:6080).
const api = process.env.LOTTERY_DEV_API ?? "http://127.0.0.1:6080";

export default defineConfig({
  // JSX through esbuild's automatic runtime: no React plugin needed (no fast refresh in dev).
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      "/api": api,
      "/ws": { target: api.replace(/^http/, "ws"), ws: true },
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
