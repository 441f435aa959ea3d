/**
 * API keys: random 256-bit secrets given to clients once, stored only as their SHA-256 in a JSON file, each with a name,
 * scopes and an optional rate limit. A request's key is hashed and compared with every stored hash in constant time
 * (`crypto.timingSafeEqual`), so neither the comparison nor the lookup tells an attacker how close a guess was.
 * SHA-256 without salt is enough here because the keys are random 256-bit values, not passwords: there is nothing to
 * brute-force from a leaked hash.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What a key may do. `recognise`: recognise, verify, feedback, list subjects. `admin`: also enroll, rename, delete. */
export type Scope = 'recognise' | 'admin';

/** One stored key. */
export interface ApiKeyEntry {
  /** A name for logs and metrics (never the key). */
  name: string;
  /** `sha256:<64 hex digits>` of the key. */
  hash: string;
  /** What the key may do. */
  scopes: Scope[];
  /** Requests per minute; default the service's `EOLGUL_RATE_LIMIT`. */
  rateLimitPerMinute?: number;
}

/** The key file's content. */
export interface ApiKeyFile {
  keys: ApiKeyEntry[];
}

const PREFIX = 'eolgul_';
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Reads and checks a key file; a missing file is an empty list. @throws {Error} a malformed file, naming it. */
export async function readApiKeys(file: string): Promise<ApiKeyEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let parsed: ApiKeyFile;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`API key file ${file} is not JSON: ${(err as Error).message}`);
  }
  if (!parsed || !Array.isArray(parsed.keys)) throw new Error(`API key file ${file} has no "keys" array`);
  for (const [i, k] of parsed.keys.entries()) {
    const where = `API key file ${file}, keys[${i}]`;
    if (typeof k.name !== 'string' || !NAME.test(k.name)) throw new Error(`${where}: name must match ${NAME}`);
    if (typeof k.hash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(k.hash)) {
      throw new Error(`${where}: hash must be "sha256:" and 64 lower-case hex digits`);
    }
    if (!Array.isArray(k.scopes) || !k.scopes.length || !k.scopes.every((s) => s === 'recognise' || s === 'admin')) {
      throw new Error(`${where}: scopes must be a non-empty list of "recognise" and "admin"`);
    }
    if (k.rateLimitPerMinute !== undefined && !(Number.isInteger(k.rateLimitPerMinute) && k.rateLimitPerMinute > 0)) {
      throw new Error(`${where}: rateLimitPerMinute must be a positive integer`);
    }
  }
  return parsed.keys;
}

/**
 * Makes a new key, appends its hash to `file` (written to a temp file, then renamed) and returns the key: the only
 * time it exists in clear.
 */
export async function addApiKey(
  file: string,
  entry: Omit<ApiKeyEntry, 'hash'>,
): Promise<{ key: string; entry: ApiKeyEntry }> {
  if (!NAME.test(entry.name)) throw new Error(`key name must match ${NAME}, got ${JSON.stringify(entry.name)}`);
  const keys = await readApiKeys(file);
  if (keys.some((k) => k.name === entry.name)) throw new Error(`a key named ${JSON.stringify(entry.name)} exists`);
  const key = PREFIX + randomBytes(32).toString('base64url');
  const stored: ApiKeyEntry = { ...entry, hash: `sha256:${digest(key).toString('hex')}` };
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ keys: [...keys, stored] }, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return { key, entry: stored };
}

/** Finds the entry of a presented key, or undefined. Compares with every entry, in constant time each. */
export function authenticate(keys: readonly ApiKeyEntry[], presented: string): ApiKeyEntry | undefined {
  const h = digest(presented);
  let found: ApiKeyEntry | undefined;
  for (const k of keys) {
    const stored = Buffer.from(k.hash.slice('sha256:'.length), 'hex');
    if (timingSafeEqual(stored, h) && !found) found = k;
  }
  return found;
}

/** The key of an `Authorization: Bearer <key>` or `X-API-Key: <key>` header, or undefined. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : undefined;
  }
  const x = headers['x-api-key'];
  return typeof x === 'string' && x.length ? x : undefined;
}

/**
 * The key file as the service sees it: read at start, read again when its modification time changes (checked at most
 * every 2 s, on use), so `add-key` takes effect without a restart. A file that became malformed keeps the last good
 * keys and reports the error once.
 */
export class ApiKeyRing {
  private keys: ApiKeyEntry[] = [];
  private mtime = -1;
  private checkedAt = 0;
  private reading: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  /** Reads the file now. @throws {Error} a malformed file. */
  async load(): Promise<ApiKeyEntry[]> {
    const m = await stat(this.file).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    this.keys = await readApiKeys(this.file);
    this.mtime = m;
    this.checkedAt = Date.now();
    return this.keys;
  }

  /** The current keys (re-read in the background when the file changed). */
  current(): readonly ApiKeyEntry[] {
    if (Date.now() - this.checkedAt > 2000 && !this.reading) {
      this.checkedAt = Date.now();
      this.reading = stat(this.file)
        .then(
          (s) => s.mtimeMs,
          () => 0,
        )
        .then((m) => (m !== this.mtime ? this.load().then(() => undefined) : undefined))
        .catch((err) => this.onError(err as Error))
        .finally(() => {
          this.reading = undefined;
        });
    }
    return this.keys;
  }
}
