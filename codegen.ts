// GraphQL Code Generator: checks every operation of the SPA against the
// server's schema (graph/*.graphqls) and writes the types of their results
// and variables to frontend/src/gql/, which is committed. A document that
// names a field, argument or type the schema lacks fails here, so
// `npm run typecheck` and `npm run build` (which run this first) fail too;
// `make check-generate` fails when the committed output is stale.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "graph/*.graphqls",
  documents: ["frontend/src/**/*.{ts,tsx}", "!frontend/src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "frontend/src/gql/": {
      preset: "client",
      presetConfig: {
        // Fragments are shared field lists, not data hiding: their fields
        // appear in the result types of the operations that spread them.
        fragmentMasking: false,
      },
      config: {
        // Documents are plain strings: the client POSTs them as they are and
        // needs no GraphQL parser or printer at run time.
        documentMode: "string",
        // Enums are unions of string literals: no runtime objects.
        enumType: "string-literal",
        useTypeImports: true,
        importExtension: ".ts",
        // Every custom scalar has the type the app uses; an unmapped one fails.
        strictScalars: true,
        scalars: {
          ID: "string",
          Time: "string",
          Cursor: "string",
          JSON: "import('../api.ts').JsonValue",
        },
      },
    },
  },
};

export default config;
