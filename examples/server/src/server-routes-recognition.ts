/**
 * Recognition routes (scope `recognise`): `POST /v1/recognise` (every face of an image, with the enrolled subject or
 * unknown), `POST /v1/verify` (two images, or an image and a subject), `POST /v1/feedback` ("that is not me").
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { NoFaceError, type RecognizedFace } from 'eolgul';
import type { ServiceContext } from './server-app.js';
import { ServiceError } from './server-errors.js';
import { MAX_REJECTED } from './server-sessions.js';
import { oneImage, readForm } from './server-uploads.js';

const box = {
  type: 'array',
  items: { type: 'number' },
  minItems: 4,
  maxItems: 4,
  description: '[x, y, width, height] px',
};
const match = {
  type: 'object',
  nullable: true,
  description: 'The nearest enrolled subject (null when the gallery is empty)',
  properties: {
    subject: { type: 'string' },
    distance: { type: 'number', description: 'L2 distance between embeddings (0–2)' },
    accepted: { type: 'boolean', description: 'distance <= threshold' },
    faceId: { type: 'string', description: 'the enrolled face it matched best' },
  },
};
const face = {
  type: 'object',
  properties: {
    box,
    score: { type: 'number', description: 'detector confidence, 0–1' },
    landmarks: {
      type: 'array',
      items: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } },
      description: '5 points (eyes, nose tip, mouth corners), px',
    },
    subject: { type: 'string', nullable: true, description: 'the accepted subject, or null (unknown)' },
    match,
    emotion: {
      type: 'object',
      properties: {
        label: { type: 'string' },
        score: { type: 'number' },
        scores: { type: 'object', additionalProperties: { type: 'number' } },
      },
    },
  },
};
const multipartNote = (fields: string) =>
  `multipart/form-data with ${fields}; or a raw image body (Content-Type image/*).`;

/** A face as the API shows it: no embedding (it is biometric data and 2 KB each), the match under API names. */
export function faceJson(f: RecognizedFace) {
  const m = f.match;
  return {
    box: f.box,
    score: f.score,
    landmarks: f.landmarks,
    subject: m?.accepted ? m.identity : null,
    match: m ? { subject: m.identity, distance: m.distance, accepted: m.accepted, faceId: m.imageId } : null,
    ...(f.emotion ? { emotion: f.emotion } : {}),
  };
}

export function registerRecognitionRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const limits = ctx.config;
  const { recognizer, gate, sessions } = ctx;

  app.post(
    '/v1/recognise',
    {
      config: { scope: 'recognise' },
      schema: {
        summary: 'Find every face of an image and name it',
        description: `${multipartNote('the image in "image" and optionally "session" (a feedback session token; or the X-Eolgul-Session header)')} 422 IMAGE_DECODE for a file that is not an image.`,
        security: [{ apiKey: [] }],
        response: {
          200: {
            type: 'object',
            properties: {
              width: { type: 'number' },
              height: { type: 'number' },
              faces: { type: 'array', items: face },
            },
          },
        },
      },
    },
    async (request) => {
      const form = await readForm(request, limits);
      const image = oneImage(form, 'image');
      const token = form.fields.session ?? request.headers['x-eolgul-session'];
      const exclude = typeof token === 'string' && token ? sessions.open(token, request.apiKey!.name) : [];
      const result = await gate.run(() => recognizer.analyse(image.bytes, { exclude }));
      return { width: result.width, height: result.height, faces: result.faces.map(faceJson) };
    },
  );

  app.post(
    '/v1/verify',
    {
      config: { scope: 'recognise' },
      schema: {
        summary: 'Are two faces the same person?',
        description: `${multipartNote('"a" and "b" (two images), or "a" and the field "subject" (an enrolled subject)')} Each image's main face is compared.`,
        security: [{ apiKey: [] }],
        response: {
          200: {
            type: 'object',
            properties: {
              distance: { type: 'number' },
              same: { type: 'boolean' },
              threshold: { type: 'number' },
              faceA: { type: 'object', properties: { index: { type: 'number' }, box, faces: { type: 'number' } } },
              faceB: {
                type: 'object',
                nullable: true,
                properties: { index: { type: 'number' }, box, faces: { type: 'number' } },
              },
              subject: { type: 'string', nullable: true },
              faceId: { type: 'string', nullable: true },
            },
          },
        },
      },
    },
    async (request) => {
      const form = await readForm(request, limits);
      const a = oneImage(form, 'a');
      const subject = form.fields.subject;
      if (subject === undefined) {
        const b = oneImage(form, 'b');
        const v = await gate.run(() => recognizer.verify(a.bytes, b.bytes));
        return { ...v, subject: null, faceId: null };
      }
      const gallery = ctx.gallery;
      const name = subject.normalize('NFC').trim();
      if (!gallery.countOf(name)) throw new ServiceError(404, 'NOT_FOUND', `no subject ${JSON.stringify(name)}`);
      const result = await gate.run(() => recognizer.analyse(a.bytes, { mainFace: true }));
      const main = result.faces[0];
      if (!main) throw new NoFaceError('upload "a"');
      const others = (await gallery.identities()).filter((n) => n !== name);
      const [m] = await gallery.identify(main.embedding, { exclude: others, threshold: recognizer.threshold });
      if (!m) throw new ServiceError(404, 'NOT_FOUND', `subject ${JSON.stringify(name)} has no face left to compare`);
      return {
        distance: m.distance,
        same: m.accepted,
        threshold: recognizer.threshold,
        faceA: { index: 0, box: main.box, faces: result.faces.length },
        faceB: null,
        subject: name,
        faceId: m.imageId,
      };
    },
  );

  app.post(
    '/v1/feedback',
    {
      config: { scope: 'recognise' },
      schema: {
        summary: '"That is not me": leave a subject out of this session’s recognitions',
        description:
          'Returns a new session token; send it with the next recognitions (field "session" or header X-Eolgul-Session). ' +
          'Without "session", starts a new one. Nothing is stored on the server.',
        security: [{ apiKey: [] }],
        body: {
          type: 'object',
          required: ['subject'],
          additionalProperties: false,
          properties: {
            subject: { type: 'string', minLength: 1, maxLength: 1024 },
            session: { type: 'string', maxLength: 65536 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { session: { type: 'string' }, rejected: { type: 'array', items: { type: 'string' } } },
          },
        },
      },
    },
    async (request) => {
      const body = request.body as { subject: string; session?: string };
      const key = request.apiKey!.name;
      const rejected = body.session ? sessions.open(body.session, key) : [];
      const subject = body.subject.normalize('NFC').trim();
      if (!rejected.includes(subject)) {
        if (rejected.length >= MAX_REJECTED) {
          throw new ServiceError(400, 'BAD_REQUEST', `a session holds at most ${MAX_REJECTED} rejected subjects`);
        }
        rejected.push(subject);
      }
      return { session: sessions.sign(key, rejected), rejected };
    },
  );
}
