import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string, entry = 'index') =>
  fileURLToPath(new URL(`./packages/${name}/src/${entry}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      // Subpaths first: an alias also matches the imports that start with it. Tests run in Node: each package's entry
      // is the one Node resolves (its `node` export condition).
      '@eolgul/core/node': pkg('core', 'node'),
      '@eolgul/gallery/node': pkg('gallery', 'node'),
      '@eolgul/gallery/pg': pkg('gallery', 'pg'),
      '@eolgul/runtime/tfjs': pkg('runtime', 'tfjs-node'),
      '@eolgul/models/node': pkg('models', 'node'),
      '@eolgul/detector/node': pkg('detector', 'node'),
      '@eolgul/core': pkg('core'),
      '@eolgul/runtime': pkg('runtime', 'index-node'),
      '@eolgul/models': pkg('models'),
      '@eolgul/detector': pkg('detector', 'index-node'),
      '@eolgul/embedder': pkg('embedder'),
      '@eolgul/facenet': pkg('facenet'),
      '@eolgul/gallery': pkg('gallery', 'index-node'),
      '@eolgul/emotion': pkg('emotion'),
      '@eolgul/lfw-tools': pkg('lfw-tools'),
      '@eolgul/liveness': pkg('liveness'),
      '@eolgul/attributes': pkg('attributes'),
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
