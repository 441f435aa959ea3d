#!/usr/bin/env node
/**
 * `node examples/server`: starts the face-recognition service. `node examples/server add-key --name NAME --scope
 * admin|recognise` makes an API key (printed once; only its hash is stored). Configuration: environment variables
 * (server-config.ts, README). SIGTERM or SIGINT: stop accepting, finish in-flight requests, close the worker pool and
 * the gallery, exit 0.
 * @module
 */
import { parseArgs } from 'node:util';
import { createFaceRecognizer, DEFAULT_THRESHOLD, type FaceRecognizer } from 'eolgul';
import type { PostgresGalleryStore } from '@eolgul/gallery/pg';
import { InferenceGate } from './server-admission.js';
import { ApiKeyRing, addApiKey, type Scope } from './server-api-keys.js';
import { buildApp, type ServiceGallery } from './server-app.js';
import { ConfigError, readConfig, type ServerConfig } from './server-config.js';
import { createMetrics } from './server-metrics.js';
import { SessionSigner } from './server-sessions.js';
import { checkPreprocess, openPostgresGallery } from './server-storage.js';

const USAGE = `usage:
  node examples/server                                   start the service (configuration: environment variables)
  node examples/server add-key --name NAME --scope SCOPE [--rate N]
                                                         make an API key; SCOPE: recognise | admin (repeatable);
                                                         N: requests per minute. Prints the key once.`;

async function addKeyCommand(args: string[], config: ServerConfig): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { name: { type: 'string' }, scope: { type: 'string', multiple: true }, rate: { type: 'string' } },
  });
  const scopes = values.scope ?? [];
  if (!values.name || !scopes.length || !scopes.every((s) => s === 'recognise' || s === 'admin')) {
    throw new ConfigError(USAGE);
  }
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isInteger(rate) && rate > 0))
    throw new ConfigError('--rate must be a positive integer');
  const { key } = await addApiKey(config.apiKeysFile, {
    name: values.name,
    scopes: scopes as Scope[],
    ...(rate ? { rateLimitPerMinute: rate } : {}),
  });
  process.stderr.write(
    `added key "${values.name}" (${scopes.join(', ')}) to ${config.apiKeysFile}; it is shown once:\n`,
  );
  process.stdout.write(`${key}\n`);
}

async function serve(config: ServerConfig): Promise<void> {
  const keys = new ApiKeyRing(config.apiKeysFile, (err) =>
    process.stderr.write(`API keys not reloaded: ${err.message}\n`),
  );
  await keys.load();
  const started = performance.now();
  let store: PostgresGalleryStore | undefined;
  let recognizer: FaceRecognizer;
  const options = { workers: config.workers, emotion: config.emotion } as const;
  if (config.databaseUrl) {
    store = await openPostgresGallery(config, async () => {
      const probe = await createFaceRecognizer({ emotion: false });
      const info = {
        dimension: probe.dimension,
        modelId: probe.modelId,
        preprocess: probe.preprocess,
        threshold: DEFAULT_THRESHOLD,
      };
      await probe.dispose();
      return info;
    });
    try {
      recognizer = await createFaceRecognizer({ ...options, gallery: store });
      checkPreprocess(store, recognizer.preprocess);
    } catch (err) {
      await store.close();
      throw err;
    }
  } else {
    recognizer = await createFaceRecognizer({ ...options, gallery: config.galleryDir });
  }
  const loadSeconds = (performance.now() - started) / 1000;
  const gallery = recognizer.gallery as ServiceGallery;
  const gate = new InferenceGate(2 * config.workers, config.queueLimit);
  const metrics = createMetrics({
    queued: () => gate.queued,
    running: () => gate.running,
    faces: () => Number(gallery.count()),
  });
  metrics.modelLoad.set(loadSeconds);
  let draining = false;
  const app = await buildApp(
    {
      config,
      recognizer,
      gallery,
      keys,
      gate,
      sessions: new SessionSigner(config.sessionSecret),
      metrics,
      draining: () => draining,
      readiness() {
        if (draining) return { ready: false, reason: 'shutting down' };
        const s = store?.status();
        if (s && !s.listening && Date.now() - s.syncedAt > 5000) {
          return {
            ready: false,
            reason: `gallery database out of reach: ${s.lastError?.message ?? 'no sync for 5 s'}`,
          };
        }
        return { ready: true };
      },
    },
    { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] },
  );
  if (!keys.current().length) {
    app.log.warn(
      `no API keys in ${config.apiKeysFile}: every /v1 route answers 401 until one is added: node examples/server add-key --name me --scope admin`,
    );
  }
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { address, workers: config.workers, storage: config.databaseUrl ? 'postgresql' : config.galleryDir, loadSeconds },
    'eolgul service ready',
  );

  const shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    await app.close();
    await recognizer.dispose();
    await store?.close();
    app.log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const config = readConfig();
  if (command === 'add-key') return addKeyCommand(rest, config);
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== undefined) throw new ConfigError(USAGE);
  await serve(config);
}

main().catch((err) => {
  process.stderr.write(`eolgul server: ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? err)}\n`);
  process.exit(2);
});
