/**
 * The service's configuration, read from environment variables (the README lists them). Every value is checked at start
 * so that a typo stops the service with a message naming the variable, instead of running with a surprising value.
 * @module
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

/** Everything the service needs to start. */
export interface ServerConfig {
  /** `HOST` (default `127.0.0.1`; `0.0.0.0` to serve other machines). */
  host: string;
  /** `PORT` (default 8080; 0 = any free port, printed at start). */
  port: number;
  /** `EOLGUL_DATA_DIR` (default `./eolgul-server-data`): the gallery directory and the API key file live here. */
  dataDir: string;
  /** `EOLGUL_GALLERY_DIR` (default `<data dir>/gallery`): the gallery directory when there is no `DATABASE_URL`. */
  galleryDir: string;
  /** `DATABASE_URL`: a PostgreSQL connection string; the gallery is then shared by every replica using it. */
  databaseUrl?: string;
  /** `EOLGUL_PG_TABLE` (default `eolgul_gallery`): table name prefix in PostgreSQL. */
  pgTable: string;
  /** `EOLGUL_API_KEYS_FILE` (default `<data dir>/api-keys.json`): the hashed API keys. */
  apiKeysFile: string;
  /** `EOLGUL_WORKERS` (default: one per core): worker threads that analyse images. */
  workers: number;
  /** `EOLGUL_QUEUE_LIMIT` (default 16 per worker): images waiting for a worker; beyond it, 503 + Retry-After. */
  queueLimit: number;
  /** `EOLGUL_MAX_UPLOAD_BYTES` (default 10 MiB): largest image file accepted (413 beyond). */
  maxUploadBytes: number;
  /** `EOLGUL_MAX_PIXELS` (default 40,000,000): largest image accepted, width × height read from its header (413). */
  maxPixels: number;
  /** `EOLGUL_MAX_FILES` (default 10): images per enrollment request. */
  maxFiles: number;
  /** `EOLGUL_RATE_LIMIT` (default 600): requests per minute per API key unless its entry sets its own. */
  rateLimitPerMinute: number;
  /** `EOLGUL_EMOTION` (default `fast`): `off`, `fast` or `accurate` expression per face. */
  emotion: false | 'fast' | 'accurate';
  /** `EOLGUL_SESSION_SECRET`: key that signs feedback sessions; replicas share one. Default: random per process. */
  sessionSecret?: string;
  /** `EOLGUL_SHUTDOWN_TIMEOUT_MS` (default 30,000): on SIGTERM, how long in-flight requests may take to finish. */
  shutdownTimeoutMs: number;
  /** `LOG_LEVEL` (default `info`): pino level. */
  logLevel: string;
}

/** A configuration variable with a value the service cannot use. */
export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`${name} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** Reads the configuration from `env` (default `process.env`). @throws {ConfigError} naming the variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = resolve(env.EOLGUL_DATA_DIR || 'eolgul-server-data');
  const workers = int(env, 'EOLGUL_WORKERS', availableParallelism(), 1, 256);
  const emotion = env.EOLGUL_EMOTION || 'fast';
  if (!['off', 'fast', 'accurate'].includes(emotion)) {
    throw new ConfigError(`EOLGUL_EMOTION must be off, fast or accurate, got ${JSON.stringify(emotion)}`);
  }
  const level = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be a pino level (info, warn, …), got ${JSON.stringify(level)}`);
  }
  const table = env.EOLGUL_PG_TABLE || 'eolgul_gallery';
  return {
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 8080, 0, 65535),
    dataDir,
    galleryDir: resolve(env.EOLGUL_GALLERY_DIR || join(dataDir, 'gallery')),
    databaseUrl: env.DATABASE_URL || undefined,
    pgTable: table,
    apiKeysFile: resolve(env.EOLGUL_API_KEYS_FILE || join(dataDir, 'api-keys.json')),
    workers,
    queueLimit: int(env, 'EOLGUL_QUEUE_LIMIT', 16 * workers, 0, 1_000_000),
    maxUploadBytes: int(env, 'EOLGUL_MAX_UPLOAD_BYTES', 10 * 1024 * 1024, 1024, 1024 ** 3),
    maxPixels: int(env, 'EOLGUL_MAX_PIXELS', 40_000_000, 1, 268_402_689),
    maxFiles: int(env, 'EOLGUL_MAX_FILES', 10, 1, 1000),
    rateLimitPerMinute: int(env, 'EOLGUL_RATE_LIMIT', 600, 1, 10_000_000),
    emotion: emotion === 'off' ? false : (emotion as 'fast' | 'accurate'),
    sessionSecret: env.EOLGUL_SESSION_SECRET || undefined,
    shutdownTimeoutMs: int(env, 'EOLGUL_SHUTDOWN_TIMEOUT_MS', 30_000, 0, 3_600_000),
    logLevel: level,
  };
}
