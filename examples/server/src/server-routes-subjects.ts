/**
 * Subjects and their faces: list and read (scope `recognise`), enroll, add faces, rename, delete (scope `admin`).
 * A subject's name is opaque Unicode (NFC, outer white space removed): URL-encode it in paths. Face ids are made by
 * the service (UUIDs), never taken from file names.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from './server-app.js';
import { ServiceError } from './server-errors.js';
import { readForm, type UploadedForm } from './server-uploads.js';

const nameParam = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 1024, description: 'the subject, URL-encoded' } },
};
const enrolled = {
  type: 'object',
  properties: { subject: { type: 'string' }, faceIds: { type: 'array', items: { type: 'string' } } },
};
const faceList = {
  type: 'object',
  properties: {
    subject: { type: 'string' },
    faces: {
      type: 'array',
      items: { type: 'object', properties: { faceId: { type: 'string' }, excluded: { type: 'boolean' } } },
    },
  },
};
const admin = { scope: 'admin' as const };
const reader = { scope: 'recognise' as const };
const security = [{ apiKey: [] }];

/** A subject name as stored: NFC, outer white space removed (as the front door's `enroll` does). */
const canonical = (name: string) => name.normalize('NFC').trim();

export function registerSubjectRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const { gallery, recognizer, gate } = ctx;
  const exists = (name: string) => gallery.countOf(name) > 0;
  const mustExist = (name: string) => {
    if (!exists(name)) throw new ServiceError(404, 'NOT_FOUND', `no subject ${JSON.stringify(name)}`);
  };

  /** Enrolls the form's images ("image", one or more) under `name`, all or nothing. */
  async function enrollForm(name: string, form: UploadedForm) {
    const images = form.files.filter((f) => f.field === 'image' || f.field === 'body');
    if (!images.length)
      throw new ServiceError(400, 'IMAGE_MISSING', 'send one or more images in the form field "image"');
    const imageIds = images.map(() => randomUUID());
    const r = await gate.run(() =>
      recognizer.enroll(
        name,
        images.map((f) => f.bytes),
        { imageIds },
      ),
    );
    return { subject: r.identity, faceIds: r.imageIds };
  }

  app.get(
    '/v1/subjects',
    {
      config: reader,
      schema: {
        summary: 'List subjects',
        security,
        response: {
          200: {
            type: 'object',
            properties: {
              subjects: {
                type: 'array',
                items: { type: 'object', properties: { name: { type: 'string' }, faces: { type: 'number' } } },
              },
            },
          },
        },
      },
    },
    async () => ({
      subjects: (await gallery.identities()).map((name) => ({ name, faces: gallery.countOf(name) })),
    }),
  );

  app.post(
    '/v1/subjects',
    {
      config: admin,
      schema: {
        summary: 'Enroll a new subject',
        description:
          'multipart/form-data: "name" and one or more "image" files, each holding exactly one face (422 NO_FACE / ' +
          'MULTIPLE_FACES otherwise; nothing is stored unless every image passes). 409 SUBJECT_EXISTS for a known name.',
        security,
        response: { 201: enrolled },
      },
    },
    async (request, reply) => {
      const form = await readForm(request, ctx.config);
      const raw = form.fields.name;
      if (typeof raw !== 'string' || !canonical(raw))
        throw new ServiceError(400, 'BAD_REQUEST', 'send the subject in the form field "name"');
      if (exists(canonical(raw))) {
        throw new ServiceError(
          409,
          'SUBJECT_EXISTS',
          `subject ${JSON.stringify(canonical(raw))} exists: add faces with POST /v1/subjects/{name}/faces`,
        );
      }
      reply.status(201);
      return enrollForm(raw, form);
    },
  );

  const listFaces = async (request: { params: unknown }) => {
    const name = canonical((request.params as { name: string }).name);
    mustExist(name);
    const excluded = new Set(await gallery.excludedImages());
    return {
      subject: name,
      faces: gallery.imagesOf(name).map((faceId) => ({ faceId, excluded: excluded.has(faceId) })),
    };
  };
  app.get(
    '/v1/subjects/:name',
    {
      config: reader,
      schema: { summary: 'A subject and its faces', params: nameParam, security, response: { 200: faceList } },
    },
    listFaces,
  );
  app.get(
    '/v1/subjects/:name/faces',
    {
      config: reader,
      schema: { summary: 'The faces of a subject', params: nameParam, security, response: { 200: faceList } },
    },
    listFaces,
  );

  app.post(
    '/v1/subjects/:name/faces',
    {
      config: admin,
      schema: {
        summary: 'Enroll more faces of a subject',
        description: 'multipart/form-data: one or more "image" files.',
        params: nameParam,
        security,
        response: { 201: enrolled },
      },
    },
    async (request, reply) => {
      const name = canonical((request.params as { name: string }).name);
      mustExist(name);
      const form = await readForm(request, ctx.config);
      reply.status(201);
      return enrollForm(name, form);
    },
  );

  app.patch(
    '/v1/subjects/:name',
    {
      config: admin,
      schema: {
        summary: 'Rename a subject',
        description: 'Renaming onto an existing subject is refused (409) unless "merge" is true.',
        params: nameParam,
        security,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 1024 }, merge: { type: 'boolean' } },
        },
        response: { 200: { type: 'object', properties: { subject: { type: 'string' }, faces: { type: 'number' } } } },
      },
    },
    async (request) => {
      const from = canonical((request.params as { name: string }).name);
      const body = request.body as { name: string; merge?: boolean };
      const to = canonical(body.name);
      if (!to) throw new ServiceError(400, 'BAD_REQUEST', 'the new name is blank');
      mustExist(from);
      if (to !== from && exists(to) && !body.merge) {
        throw new ServiceError(
          409,
          'SUBJECT_EXISTS',
          `subject ${JSON.stringify(to)} exists (send "merge": true to merge)`,
        );
      }
      await gallery.rename(from, to);
      return { subject: to, faces: gallery.countOf(to) };
    },
  );

  app.delete(
    '/v1/subjects/:name',
    {
      config: admin,
      schema: {
        summary: 'Delete a subject and all its faces',
        params: nameParam,
        security,
        response: { 200: { type: 'object', properties: { removed: { type: 'number' } } } },
      },
    },
    async (request) => {
      const name = canonical((request.params as { name: string }).name);
      mustExist(name);
      return { removed: await gallery.remove(name, { kind: 'identity' }) };
    },
  );

  app.delete(
    '/v1/subjects/:name/faces/:faceId',
    {
      config: admin,
      schema: {
        summary: 'Delete one face of a subject',
        params: {
          ...nameParam,
          required: ['name', 'faceId'],
          properties: { ...nameParam.properties, faceId: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
        security,
        response: { 200: { type: 'object', properties: { removed: { type: 'number' } } } },
      },
    },
    async (request) => {
      const { name, faceId } = request.params as { name: string; faceId: string };
      const subject = canonical(name);
      if (!gallery.imagesOf(subject).includes(faceId)) {
        throw new ServiceError(
          404,
          'NOT_FOUND',
          `subject ${JSON.stringify(subject)} has no face ${JSON.stringify(faceId)}`,
        );
      }
      return { removed: await gallery.remove(faceId, { kind: 'image' }) };
    },
  );
}
