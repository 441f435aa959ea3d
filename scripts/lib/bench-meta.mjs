// What a generated benchmark document says about the code it measured: the commit and package versions.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The short commit hash of `root`, with " (with uncommitted changes)" when packages/ or scripts/ differ from it; '?'
 * outside a git checkout.
 * @param {string} root
 */
export function benchCommit(root) {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: root }).toString().trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'packages', 'scripts') ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return '?';
  }
}

/**
 * Version of an installed package, resolved from the folder `from` (its own package.json, found above the resolved
 * entry); '?' when it cannot be found.
 * @param {string} name @param {string} from
 */
export function packageVersion(name, from) {
  try {
    let dir = dirname(createRequire(join(from, 'package.json')).resolve(name));
    const manifest = () => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    while (!existsSync(join(dir, 'package.json')) || manifest().name !== name) dir = dirname(dir);
    return manifest().version;
  } catch {
    return '?';
  }
}
