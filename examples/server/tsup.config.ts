import { defineConfig } from 'tsup';

// An app, not a library: ESM only, no type declarations.
export default defineConfig({
  entry: ['src/server-main.ts'],
  format: ['esm'],
  target: 'node20',
  clean: true,
  sourcemap: true,
});
