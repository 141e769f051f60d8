/**
 * The reference site's build (StaticSite `build` in index.ts runs `vite build` here): every HTML page is an
 * entry, TypeScript modules and the stylesheet are bundled into `assets/` with a content hash in their names,
 * and `public/` (robots.txt, the error page) is copied as is. Output: `dist/`, which StaticSite publishes.
 */
import { resolve } from "node:path";
import { defineConfig } from "vite";

/** The site's pages, as S3 keys: each is an entry, so each gets its own HTML with links to the hashed assets. */
const PAGES = ["index.html", "about.html", "account/index.html", "variants/b/index.html"];

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  // Vite's own `.env` files are off: StaticSite passes the build's environment (index.ts), one source of settings.
  envDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Chromium, Firefox and Safari of the last years; the page uses modules, top-level await is not needed.
    target: "es2022",
    rolldownOptions: {
      input: Object.fromEntries(PAGES.map((page) => [page.replace(/\.html$/, ""), resolve(import.meta.dirname, page)])),
      output: {
        // `name.<8 hex>.ext`: the names StaticSite recognises as fingerprinted (components/static-site/content.ts
        // isFingerprinted), so they are cached for a year and kept for a few deploys after they leave the site.
        hashCharacters: "hex",
        entryFileNames: "assets/[name].[hash].js",
        chunkFileNames: "assets/[name].[hash].js",
        assetFileNames: "assets/[name].[hash][extname]",
      },
    },
  },
});
