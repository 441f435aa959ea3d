/**
 * Stand-in for the Node-only modules (node:fs, node:path, sharp, onnxruntime-node, proper-lockfile...) that some
 * `@eolgul/*` code paths import. Those paths (reading image files, gallery directories, the Node inference runtime)
 * are never taken in the browser; the Vite config aliases the modules here so the bundle stays small and free of
 * Node built-ins. Calling anything here throws, so a wrong path fails loudly instead of silently. The production
 * build tolerates names missing here (`shimMissingExports`); `vite dev` needs each imported name, so add new ones here.
 * @module
 */

function nodeOnly(name: string): never {
  throw new Error(`${name} is Node-only and not available in the browser build of the eolgul example`);
}

const fn =
  (name: string) =>
  (..._args: unknown[]): never =>
    nodeOnly(name);

/** `node:fs` `promises`. */
export const promises = new Proxy({}, { get: (_t, k) => fn(`fs.promises.${String(k)}`) });
/** `node:fs` `constants`. */
export const constants = Object.freeze({ O_WRONLY: 1, O_CREAT: 64, O_EXCL: 128, O_RDONLY: 0 });
/** `node:crypto` `randomBytes`. */
export const randomBytes = fn('crypto.randomBytes');
/** `node:os` `endianness`: browsers on every platform eolgul supports are little-endian. */
export const endianness = (): 'LE' => 'LE';
/** `node:os` functions. */
export const hostname = (): string => 'browser';
export const tmpdir = fn('os.tmpdir');
export const homedir = fn('os.homedir');
export const cpus = (): unknown[] => [];
export const EOL = '\n';
/** `node:crypto` functions. */
export const createHash = fn('crypto.createHash');
export const randomUUID = (): string => globalThis.crypto.randomUUID();
/** `node:module` `createRequire`. */
export const createRequire = fn('module.createRequire');
/** `node:path` functions. */
export const join = fn('path.join');
export const dirname = fn('path.dirname');
export const basename = fn('path.basename');
export const resolve = fn('path.resolve');
export const relative = fn('path.relative');
export const extname = fn('path.extname');
export const sep = '/';
export const isAbsolute = fn('path.isAbsolute');
export const normalize = fn('path.normalize');
export const posix = {};
export const win32 = {};
/** `node:fs/promises` functions. */
export const readFile = fn('fs.readFile');
export const writeFile = fn('fs.writeFile');
export const stat = fn('fs.stat');
export const open = fn('fs.open');
export const mkdir = fn('fs.mkdir');
export const rm = fn('fs.rm');
export const rename = fn('fs.rename');
export const readdir = fn('fs.readdir');
/** `node:fs` sync and stream functions. */
export const existsSync = (): boolean => false;
export const readFileSync = fn('fs.readFileSync');
export const writeFileSync = fn('fs.writeFileSync');
export const mkdirSync = fn('fs.mkdirSync');
export const statSync = fn('fs.statSync');
export const openSync = fn('fs.openSync');
export const closeSync = fn('fs.closeSync');
export const fsyncSync = fn('fs.fsyncSync');
export const renameSync = fn('fs.renameSync');
export const unlinkSync = fn('fs.unlinkSync');
export const readdirSync = fn('fs.readdirSync');
export const rmSync = fn('fs.rmSync');
export const realpathSync = fn('fs.realpathSync');
export const createReadStream = fn('fs.createReadStream');
export const createWriteStream = fn('fs.createWriteStream');
/** `node:url` `fileURLToPath`. */
export const fileURLToPath = fn('url.fileURLToPath');
export const pathToFileURL = fn('url.pathToFileURL');

/** Default export for `import x from '...'` (sharp, proper-lockfile, onnxruntime-node). */
const stub = new Proxy(fn('node module'), {
  get: (_t, k) => (k === 'then' ? undefined : fn(`node module .${String(k)}`)),
});
export default stub;
