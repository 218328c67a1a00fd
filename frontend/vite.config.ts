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

// gqlDocuments replaces each graphql(`...`) call in src/ with the document
// codegen generated for it in src/gql/graphql.ts, as the client preset's
// Babel plugin does: the bundle then holds each document once, and not
// gql.ts's lookup table keyed by every document's source. A call whose
// document has no name, or a name codegen did not generate, fails the build.
function gqlDocuments(): Plugin {
  const src = resolve(root, "src") + "/";
  const generated = resolve(root, "src/gql/graphql.ts");
  const call = /\bgraphql\(\s*`([^`]*)`\s*\)/g;
  const definition = /^\s*(query|mutation|subscription|fragment)\s+([_A-Za-z][_0-9A-Za-z]*)/;
  return {
    name: "gloss:gql-documents",
    enforce: "pre",
    transform(code, id) {
      if (!id.startsWith(src) || id.startsWith(`${src}gql/`) || !code.includes("graphql(")) return null;
      const names = new Set<string>();
      const replaced = code.replace(call, (_, source: string) => {
        const named = definition.exec(source);
        if (!named) throw new Error(`${id}: a graphql() document must start with a named operation or fragment`);
        const name = named[1] === "fragment" ? `${named[2]}FragmentDoc` : `${named[2]}Document`;
        names.add(name);
        return name;
      });
      if (names.size === 0) return null;
      // Appended, since imports are hoisted, so that line numbers stay.
      return { code: `${replaced}\nimport { ${[...names].join(", ")} } from ${JSON.stringify(generated)};\n`, map: null };
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  publicDir: false,
  plugins: [gqlDocuments(), react(), strictCsp(), keepGitkeep()],
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
