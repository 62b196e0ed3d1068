import { defineConfig } from "vite";

// The UI is served by `bakeoff serve` from web/dist: index.html at `/`, everything else under /assets/.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    target: "es2022",
    // One small bundle: no code splitting, so the first load is two requests plus the CSS.
    rollupOptions: { output: { manualChunks: undefined } },
  },
});
