/**
 * The HTTP application: Fastify with its multipart, rate-limit and OpenAPI plugins, API-key authentication with scopes,
 * request ids, metrics, the error format, and the routes of `/v1`. Fastify because it validates with JSON schemas that
 * also generate the OpenAPI document, logs with pino (a request id on every line), closes gracefully (stops accepting,
 * lets in-flight requests finish) and its plugins for uploads and rate limits are maintained with it.
 * @module
 */
import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FaceRecognizer, GalleryStore } from 'eolgul';
import type { InferenceGate } from './server-admission.js';
import { type ApiKeyEntry, type ApiKeyRing, authenticate, presentedKey, type Scope } from './server-api-keys.js';
import type { ServerConfig } from './server-config.js';
import { sendError, ServiceError } from './server-errors.js';
import type { Metrics } from './server-metrics.js';
import { registerOpsRoutes } from './server-routes-ops.js';
import { registerRecognitionRoutes } from './server-routes-recognition.js';
import { registerSubjectRoutes } from './server-routes-subjects.js';
import type { SessionSigner } from './server-sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated key (routes with a scope only). */
    apiKey?: ApiKeyEntry;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; routes without one are open (health, readiness, metrics, the OpenAPI document). */
    scope?: Scope;
  }
}

/** The gallery as the service uses it: the store interface plus per-identity listing and kind-aware removal. */
export interface ServiceGallery extends GalleryStore {
  countOf(identity: string): number;
  imagesOf(identity: string): string[];
  remove(identityOrImageId: string, options?: { kind?: 'identity' | 'image' }): Promise<number>;
}

/** Everything the routes use. */
export interface ServiceContext {
  config: ServerConfig;
  recognizer: FaceRecognizer;
  gallery: ServiceGallery;
  keys: ApiKeyRing;
  gate: InferenceGate;
  sessions: SessionSigner;
  metrics: Metrics;
  /** Whether a shutdown has begun: answers then close their connection, so keep-alive clients do not hold it open. */
  draining(): boolean;
  /** Whether the service should get traffic (models loaded, storage in sync, not shutting down). */
  readiness(): { ready: boolean; reason?: string };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Builds the application (not listening yet). */
export async function buildApp(ctx: ServiceContext, logger: boolean | object = true): Promise<FastifyInstance> {
  const { config } = ctx;
  const app = Fastify({
    logger,
    // A caller's X-Request-Id is kept when it is short and plain (it reaches every log line); otherwise a new UUID.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: config.maxUploadBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A body trickled in a byte at a time would hold a connection (and a graceful shutdown) forever.
    requestTimeout: 60_000,
    // Errors Fastify raises before routing (a URL that is not valid percent-encoding…) in the service's error shape.
    frameworkErrors: (err, request, reply) =>
      sendError(new ServiceError(400, 'BAD_REQUEST', err.message), request, reply),
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (ctx.draining()) reply.header('connection', 'close');
  });

  // Raw image bodies (curl --data-binary @photo.jpg -H 'Content-Type: image/jpeg'); multipart has its own parser.
  for (const type of ['application/octet-stream', /^image\//]) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: config.maxUploadBytes }, (_req, body, done) =>
      done(null, body),
    );
  }
  await app.register(multipart, { limits: { fileSize: config.maxUploadBytes, files: config.maxFiles } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'eolgul face recognition service',
        version: '1.0.0',
        description:
          'Recognise, verify and enroll faces. Authenticate with `Authorization: Bearer <API key>`. Images go as ' +
          'multipart/form-data; distances are L2 distances between unit embeddings (0–2), lower = more alike.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      },
    },
  });

  // Authentication and scopes, before the rate limit (which counts per key).
  app.addHook('onRequest', async (request) => {
    const scope = request.routeOptions.config.scope;
    if (!scope) return;
    const key = presentedKey(request.headers);
    if (!key) throw new ServiceError(401, 'API_KEY_MISSING', 'send an API key: Authorization: Bearer <key>');
    const entry = authenticate(ctx.keys.current(), key);
    if (!entry) throw new ServiceError(401, 'API_KEY_INVALID', 'the API key is not valid');
    if (!entry.scopes.includes(scope) && !entry.scopes.includes('admin')) {
      throw new ServiceError(403, 'SCOPE_REQUIRED', `this API key lacks the "${scope}" scope`);
    }
    request.apiKey = entry;
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: 60_000,
    max: (request) => request.apiKey?.rateLimitPerMinute ?? config.rateLimitPerMinute,
    keyGenerator: (request) => request.apiKey?.name ?? request.ip,
    allowList: (request) => !request.apiKey,
    errorResponseBuilder: (_request, context) =>
      new ServiceError(429, 'RATE_LIMITED', `rate limit of ${context.max} requests per minute reached`, {
        'retry-after': String(Math.ceil(context.ttl / 1000)),
      }),
  });

  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      new ServiceError(404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    ctx.metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  registerOpsRoutes(app, ctx);
  registerRecognitionRoutes(app, ctx);
  registerSubjectRoutes(app, ctx);
  return app;
}
