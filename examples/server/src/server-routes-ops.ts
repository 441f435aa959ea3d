/**
 * Operations routes, open without a key: `/health` (the process answers), `/ready` (send it traffic: models loaded,
 * gallery in sync, not shutting down), `/metrics` (Prometheus), `/v1/openapi.json` (this API's OpenAPI document).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from './server-app.js';
import { ServiceError } from './server-errors.js';

const hide = { hide: true };

export function registerOpsRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/health', { schema: hide }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: hide }, async () => {
    const r = ctx.readiness();
    if (!r.ready) throw new ServiceError(503, 'NOT_READY', r.reason ?? 'not ready');
    return { status: 'ready', faces: await ctx.gallery.count() };
  });
  app.get('/metrics', { schema: hide }, async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
  app.get('/v1/openapi.json', { schema: hide }, async () => app.swagger());
}
