import type { Options } from 'tsup';

/**
 * The one tsup preset every eolgul package builds with: ESM + CJS + `.d.ts`, Node 20 target,
 * dependencies left external. A package's `tsup.config.ts` is `export default preset()`.
 */
export function preset(overrides: Partial<Options> = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    shims: true,
    ...overrides,
  };
}
