import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@eolgul/core': pkg('core'),
      '@eolgul/runtime': pkg('runtime'),
      '@eolgul/models': pkg('models'),
      '@eolgul/detector': pkg('detector'),
      '@eolgul/facenet': pkg('facenet'),
      '@eolgul/gallery': pkg('gallery'),
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
