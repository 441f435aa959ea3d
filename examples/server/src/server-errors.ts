/**
 * The service's error answers: `{ error: { code, message, requestId } }` with an HTTP status. eolgul's own errors keep
 * their stable codes (the CLI's: `IMAGE_DECODE`, `NO_FACE`, …); the service adds codes for what only HTTP has.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EolgulError } from 'eolgul';

/** Codes that only the service gives. */
export type ServiceErrorCode =
  | 'API_KEY_MISSING'
  | 'API_KEY_INVALID'
  | 'SCOPE_REQUIRED'
  | 'RATE_LIMITED'
  | 'UPLOAD_TOO_LARGE'
  | 'IMAGE_MISSING'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'SUBJECT_EXISTS'
  | 'SESSION_INVALID'
  | 'SERVICE_BUSY'
  | 'NOT_READY'
  | 'STORAGE_UNAVAILABLE'
  | 'INTERNAL';

/** An error with an HTTP status and a stable code. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: ServiceErrorCode,
    message: string,
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** HTTP status of each eolgul error code. */
const STATUS: Record<string, number> = {
  IMAGE_DECODE: 422,
  NO_FACE: 422,
  MULTIPLE_FACES: 422,
  IMAGE_TOO_LARGE: 413,
  UNKNOWN_IDENTITY: 404,
  INVALID_ARGUMENT: 400,
  EMBEDDING_DIMENSION: 400,
  INVALID_EMBEDDING: 422,
  GALLERY_MISMATCH: 500,
  GALLERY_CORRUPT: 500,
  GALLERY_LOCKED: 503,
  MODEL_DISPOSED: 503,
};

/** pg errors that mean the database is not reachable right now (connection refused, reset, shutting down). */
function isStorageDown(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return (
    typeof code === 'string' &&
    (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code) || /^(08|57P)/.test(code))
  );
}

/** Status, code and message of any error the handlers throw. */
export function describeError(err: unknown): {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
} {
  if (err instanceof ServiceError)
    return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  if (err instanceof EolgulError) {
    return { status: STATUS[err.code] ?? 500, code: err.code, message: err.message, headers: {} };
  }
  if (isStorageDown(err)) {
    return {
      status: 503,
      code: 'STORAGE_UNAVAILABLE',
      message: 'the gallery database is not reachable',
      headers: { 'retry-after': '5' },
    };
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, code: 'UPLOAD_TOO_LARGE', message: fe.message, headers: {} };
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: fe.message, headers: {} };
  }
  if (fe.validation || (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)) {
    return { status: fe.statusCode ?? 400, code: 'BAD_REQUEST', message: fe.message, headers: {} };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error', headers: {} };
}

/** Fastify's error handler: the JSON error body, logged at warn (4xx) or error (5xx) with the request id. */
export function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, code, message, headers } = describeError(err);
  if (status >= 500 && code === 'INTERNAL') request.log.error({ err }, 'request failed');
  else request.log.info({ code, status }, message);
  return reply
    .status(status)
    .headers(headers)
    .send({ error: { code, message, requestId: request.id } });
}
