// Vite builds the SPA into frontend/dist, which embed.go compiles into the
// gloss binary. The output must satisfy the server's strict CSP
// (script-src 'self'; style-src 'self'): no inline scripts, no inline
// styles and no data: URLs, so every asset is emitted as its own file.
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const outDir = resolve(root, "dist");
const backend = "http://127.0.0.1:8080";

// keepGitkeep puts dist/.gitkeep back after emptyOutDir removed it: the
// `//go:embed all:dist` pattern needs the directory to exist with at least
// one file even in a checkout where the SPA has not been built.
function keepGitkeep(): Plugin {
  return {
    name: "gloss:keep-gitkeep",
    apply: "build",
    closeBundle() {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(resolve(outDir, ".gitkeep"), "");
    },
  };
}

// strictCsp fails the build when the final index.html holds anything the
// server's CSP would block: an inline script, a <style> block, a style
// attribute or an inline event handler.
function strictCsp(): Plugin {
  const inlineScript = /<script\b(?![^>]*\bsrc=)[^>]*>/i;
  const blocked: [RegExp, string][] = [
    [inlineScript, "inline <script>"],
    [/<style\b/i, "<style> block"],
    [/\sstyle=/i, "inline style attribute"],
    [/\son[a-z]+=/i, "inline event handler"],
  ];
  return {
    name: "gloss:strict-csp",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html) {
        for (const [pattern, what] of blocked) {
          if (pattern.test(html)) {
            throw new Error(`index.html has an ${what}, which the server's CSP would block`);
          }
        }
        return html;
      },
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  publicDir: false,
  plugins: [react(), strictCsp(), keepGitkeep()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: "assets",
    // data: URLs would need a looser CSP; emit every asset as a file.
    assetsInlineLimit: 0,
    // The polyfill is only for browsers without modulepreload support.
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2022",
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/graphql": { target: backend, changeOrigin: false },
      "/api": { target: backend, changeOrigin: false },
    },
  },
  preview: {
    host: "127.0.0.1",
    proxy: {
      "/graphql": { target: backend, changeOrigin: false },
      "/api": { target: backend, changeOrigin: false },
    },
  },
});
