/**
 * Test helpers: the service as a real child process (`node dist/server-main.js`, as a user starts it) on 127.0.0.1 at a
 * free port, its JSON log lines collected; API keys made with its own `add-key` command; real images from
 * `examples/data` (LFW photos committed as the demo sample).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const MAIN = join(HERE, '..', 'dist', 'server-main.js');
export const DATA = join(HERE, '..', '..', 'data');

/** The gallery photos of one sample person (4 each), and the probe photos (2 each). */
export function samplePhotos(person: string): { gallery: string[]; probes: string[] } {
  const g = join(DATA, 'gallery', person);
  const probes = readdirSync(join(DATA, 'probes')).filter((f) => f.startsWith(`${person}_`));
  return {
    gallery: readdirSync(g)
      .sort()
      .map((f) => join(g, f)),
    probes: probes.sort().map((f) => join(DATA, 'probes', f)),
  };
}

/** A running service. */
export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Parsed JSON log lines so far (stdout). */
  logs: Record<string, unknown>[];
  /** Everything written to stdout and stderr, raw. */
  output(): string;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Makes an API key with the service's own command. */
export async function addKey(env: NodeJS.ProcessEnv, name: string, scopes: string[], rate?: number): Promise<string> {
  const args = [MAIN, 'add-key', '--name', name, ...scopes.flatMap((s) => ['--scope', s])];
  if (rate) args.push('--rate', String(rate));
  const { stdout } = await promisify(execFile)(process.execPath, args, { env: { ...process.env, ...env } });
  return stdout.trim();
}

/** Starts the service with `env` (PORT 0, one worker unless set) and waits until it listens. */
export async function startService(env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', EOLGUL_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let raw = '';
  let pending = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in 120 s:\n${raw}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      raw += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line);
          logs.push(entry);
          if (entry.msg === 'eolgul service ready') {
            clearTimeout(timer);
            resolve(entry.address as string);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      raw += chunk;
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code ?? signal}) before it listened:\n${raw}`));
    });
  });
  return {
    url,
    child,
    logs,
    output: () => raw,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A multipart form of image files (field → paths) and text fields. */
export async function form(files: Record<string, string[]>, fields: Record<string, string> = {}): Promise<FormData> {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [field, paths] of Object.entries(files)) {
    for (const p of paths) f.append(field, new Blob([await readFile(p)]), p.split('/').pop());
  }
  return f;
}

/** Fetch with an API key; resolves to status, headers and parsed JSON body. */
export async function call(
  base: string,
  key: string | undefined,
  method: string,
  path: string,
  body?: FormData | object | Buffer,
  headers: Record<string, string> = {},
) {
  const h: Record<string, string> = { ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (Buffer.isBuffer(body)) payload = new Uint8Array(body);
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, { method, headers: h, body: payload });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: the answer's JSON, whatever its shape; the tests' assertions check it
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}
