/**
 * The built package's two entries share one copy of each module: an error made by `@eolgul/core/node` is an
 * `EolgulError` of `@eolgul/core`, in ESM and in CommonJS (a second copy of the class would make `instanceof` false and
 * the CLI print such errors without their code).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/', import.meta.url);

describe('built entries of @eolgul/core', () => {
  it('ESM: errors from the node entry are instances of the main entry’s classes', async () => {
    const core = await import(new URL('index.js', dist).href);
    const node = await import(new URL('node.js', dist).href);
    const err = node.fileSystemError(Object.assign(new Error('denied'), { code: 'EACCES' }), '/x', 'write');
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(err).toBeInstanceOf(core.EolgulError);
    expect(err).toBeInstanceOf(core.PermissionDeniedError);
  });

  it('CommonJS: the same', () => {
    const require = createRequire(import.meta.url);
    const core = require(new URL('index.cjs', dist).pathname);
    const node = require(new URL('node.cjs', dist).pathname);
    const err = node.fileSystemError(Object.assign(new Error('full'), { code: 'ENOSPC' }), '/x', 'write');
    expect(err.code).toBe('DISK_FULL');
    expect(err).toBeInstanceOf(core.EolgulError);
  });
});
