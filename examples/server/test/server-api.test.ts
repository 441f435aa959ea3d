// The service over real HTTP on 127.0.0.1: a child process with one worker thread, a gallery directory in a temp
// folder, the real models on real LFW photos. Enroll → recognise → feedback → recognise again, every error status with
// its code, and SIGTERM letting in-flight requests finish.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKey, call, form, type ServiceProcess, samplePhotos, startService } from './server-process.js';

let dir: string;
let svc: ServiceProcess;
let admin: string;
let reader: string;
let limited: string;
let env: NodeJS.ProcessEnv;
const tom = samplePhotos('Tom_Hanks');
const jackie = samplePhotos('Jackie_Chan');
const serena = samplePhotos('Serena_Williams');
const fixtures: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eolgul-server-'));
  env = {
    EOLGUL_DATA_DIR: dir,
    EOLGUL_QUEUE_LIMIT: '0', // one worker: 2 images in the pool, none waiting, so a burst of 8 meets 503
    EOLGUL_MAX_PIXELS: '1000000',
    EOLGUL_MAX_UPLOAD_BYTES: String(2 * 1024 * 1024),
    EOLGUL_EMOTION: 'fast',
  };
  admin = await addKey(env, 'admin-1', ['admin']);
  reader = await addKey(env, 'kiosk-1', ['recognise']);
  limited = await addKey(env, 'tiny', ['recognise'], 3);
  // Images that are not what a caller should send, made here: no face, two faces, too many pixels, too many bytes.
  const w = (name: string, data: Buffer) => {
    fixtures[name] = join(dir, name);
    return writeFile(fixtures[name], data);
  };
  await w(
    'wall.jpg',
    await sharp({ create: { width: 250, height: 250, channels: 3, background: '#8a9' } })
      .jpeg()
      .toBuffer(),
  );
  await w(
    'two-faces.jpg',
    await sharp({ create: { width: 500, height: 250, channels: 3, background: '#000' } })
      .composite([
        { input: tom.probes[0], left: 0, top: 0 },
        { input: jackie.probes[0], left: 250, top: 0 },
      ])
      .jpeg()
      .toBuffer(),
  );
  await w(
    'huge.png',
    await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#fff' } })
      .png()
      .toBuffer(),
  );
  // A GIF whose logical screen claims 10×10 around a 2000×1000 frame: the decoder would decode the frame.
  const gif = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#fff' } })
    .gif()
    .toBuffer();
  gif.writeUInt16LE(10, 6);
  gif.writeUInt16LE(10, 8);
  await w('forged-screen.gif', gif);
  await w('fat.jpg', Buffer.concat([await readFile(tom.probes[0]), Buffer.alloc(3 * 1024 * 1024, 7)]));
  await w('notes.txt', Buffer.from('this is not an image\n'));
  svc = await startService(env);
}, 180_000);

afterAll(async () => {
  await svc?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the service over HTTP', () => {
  it('enroll → recognise → "that is not me" → recognise again', async () => {
    const t = await call(
      svc.url,
      admin,
      'POST',
      '/v1/subjects',
      await form({ image: tom.gallery }, { name: 'Tom Hanks' }),
    );
    expect(t.status).toBe(201);
    expect(t.body.subject).toBe('Tom Hanks');
    expect(t.body.faceIds).toHaveLength(4);
    const j = await call(
      svc.url,
      admin,
      'POST',
      '/v1/subjects',
      await form({ image: jackie.gallery.slice(0, 2) }, { name: '成龍 Jackie' }),
    );
    expect(j.status).toBe(201);
    const more = await call(
      svc.url,
      admin,
      'POST',
      `/v1/subjects/${encodeURIComponent('成龍 Jackie')}/faces`,
      await form({ image: jackie.gallery.slice(2) }),
    );
    expect(more.status).toBe(201);

    const list = await call(svc.url, reader, 'GET', '/v1/subjects');
    expect(list.body.subjects).toEqual([
      { name: 'Tom Hanks', faces: 4 },
      { name: '成龍 Jackie', faces: 4 },
    ]);

    const r1 = await call(svc.url, reader, 'POST', '/v1/recognise', await form({ image: [tom.probes[0]] }));
    expect(r1.status).toBe(200);
    expect(r1.body.faces).toHaveLength(1);
    const [face] = r1.body.faces;
    expect(face.subject).toBe('Tom Hanks');
    expect(face.match.distance).toBeLessThan(1.1);
    expect(t.body.faceIds).toContain(face.match.faceId);
    expect(face.emotion.label).toEqual(expect.any(String));
    expect(face).not.toHaveProperty('embedding');

    const fb = await call(svc.url, reader, 'POST', '/v1/feedback', { subject: 'Tom Hanks' });
    expect(fb.status).toBe(200);
    expect(fb.body.rejected).toEqual(['Tom Hanks']);
    const r2 = await call(
      svc.url,
      reader,
      'POST',
      '/v1/recognise',
      await form({ image: [tom.probes[0]] }, { session: fb.body.session }),
    );
    expect(r2.body.faces[0].subject).not.toBe('Tom Hanks');
    expect(r2.body.faces[0].match?.subject).not.toBe('Tom Hanks');
    // The session lives in the token: without it, the same key sees Tom Hanks again.
    const r3 = await call(svc.url, reader, 'POST', '/v1/recognise', await readFile(tom.probes[1]), {
      'content-type': 'image/jpeg',
    });
    expect(r3.body.faces[0].subject).toBe('Tom Hanks');
    // A stranger (not enrolled) is unknown.
    const s = await call(svc.url, reader, 'POST', '/v1/recognise', await form({ image: [serena.probes[0]] }));
    expect(s.body.faces[0].subject).toBeNull();
    expect(s.body.faces[0].match.accepted).toBe(false);
  });

  it('verifies two images, and an image against a subject', async () => {
    const same = await call(
      svc.url,
      reader,
      'POST',
      '/v1/verify',
      await form({ a: [tom.probes[0]], b: [tom.probes[1]] }),
    );
    expect(same.status).toBe(200);
    expect(same.body.same).toBe(true);
    const diff = await call(
      svc.url,
      reader,
      'POST',
      '/v1/verify',
      await form({ a: [tom.probes[0]], b: [serena.probes[0]] }),
    );
    expect(diff.body.same).toBe(false);
    expect(diff.body.distance).toBeGreaterThan(same.body.distance);
    const subj = await call(
      svc.url,
      reader,
      'POST',
      '/v1/verify',
      await form({ a: [jackie.probes[0]] }, { subject: '成龍 Jackie' }),
    );
    expect(subj.body).toMatchObject({ same: true, subject: '成龍 Jackie' });
  });

  it('renames, lists faces, deletes a face and a subject; names are opaque Unicode, also in paths', async () => {
    const odd = 'a/b?c#d%e\u0000 "x" =SUM(1)';
    const e = await call(
      svc.url,
      admin,
      'POST',
      '/v1/subjects',
      await form({ image: [serena.gallery[0], serena.gallery[1]] }, { name: odd }),
    );
    expect(e.status).toBe(201);
    const path = `/v1/subjects/${encodeURIComponent(odd)}`;
    const got = await call(svc.url, reader, 'GET', path);
    expect(got.body.subject).toBe(odd);
    expect(got.body.faces.map((f: { faceId: string }) => f.faceId)).toEqual(e.body.faceIds);
    const del = await call(svc.url, admin, 'DELETE', `${path}/faces/${e.body.faceIds[0]}`);
    expect(del.body.removed).toBe(1);
    const lines = 'line\nbreak\u202e';
    const ren0 = await call(svc.url, admin, 'PATCH', path, { name: lines });
    expect(ren0.body).toEqual({ subject: lines, faces: 1 });
    expect((await call(svc.url, reader, 'GET', `/v1/subjects/${encodeURIComponent(lines)}`)).body.subject).toBe(lines);
    const ren = await call(svc.url, admin, 'PATCH', `/v1/subjects/${encodeURIComponent(lines)}`, {
      name: 'Serena Williams',
    });
    expect(ren.body).toEqual({ subject: 'Serena Williams', faces: 1 });
    const clash = await call(svc.url, admin, 'PATCH', '/v1/subjects/Serena%20Williams', { name: 'Tom Hanks' });
    expect(clash).toMatchObject({ status: 409, body: { error: { code: 'SUBJECT_EXISTS' } } });
    const gone = await call(svc.url, admin, 'DELETE', '/v1/subjects/Serena%20Williams');
    expect(gone.body.removed).toBe(1);
    expect((await call(svc.url, reader, 'GET', '/v1/subjects/Serena%20Williams')).status).toBe(404);
    // The gallery directory holds embeddings and names only: no image bytes were written anywhere in the data dir.
    const files = await readdir(join(dir, 'gallery'));
    expect(files.filter((f) => /\.(jpe?g|png)$/i.test(f))).toEqual([]);
  });

  it('answers every error with its status and stable code', async () => {
    const img = await form({ image: [tom.probes[0]] });
    const code = async (p: ReturnType<typeof call>) => {
      const r = await p;
      return [r.status, r.body?.error?.code];
    };
    expect(await code(call(svc.url, undefined, 'POST', '/v1/recognise', img))).toEqual([401, 'API_KEY_MISSING']);
    expect(await code(call(svc.url, 'eolgul_wrong', 'POST', '/v1/recognise', img))).toEqual([401, 'API_KEY_INVALID']);
    expect(
      await code(
        call(svc.url, reader, 'POST', '/v1/subjects', await form({ image: tom.gallery.slice(0, 1) }, { name: 'X' })),
      ),
    ).toEqual([403, 'SCOPE_REQUIRED']);
    expect(await code(call(svc.url, reader, 'DELETE', '/v1/subjects/Tom%20Hanks'))).toEqual([403, 'SCOPE_REQUIRED']);
    expect(
      await code(call(svc.url, reader, 'POST', '/v1/recognise', await form({ image: [fixtures['notes.txt']] }))),
    ).toEqual([422, 'IMAGE_DECODE']);
    expect(
      await code(
        call(svc.url, admin, 'POST', '/v1/subjects', await form({ image: [fixtures['wall.jpg']] }, { name: 'Nobody' })),
      ),
    ).toEqual([422, 'NO_FACE']);
    expect(
      await code(
        call(
          svc.url,
          admin,
          'POST',
          '/v1/subjects',
          await form({ image: [tom.gallery[0], fixtures['two-faces.jpg']] }, { name: 'Two' }),
        ),
      ),
    ).toEqual([422, 'MULTIPLE_FACES']);
    expect(
      (await call(svc.url, reader, 'GET', '/v1/subjects')).body.subjects.map((s: { name: string }) => s.name),
    ).not.toContain('Two');
    expect(
      await code(call(svc.url, reader, 'POST', '/v1/recognise', await form({ image: [fixtures['huge.png']] }))),
    ).toEqual([413, 'IMAGE_TOO_LARGE']);
    expect(
      await code(
        call(svc.url, reader, 'POST', '/v1/recognise', await form({ image: [fixtures['forged-screen.gif']] })),
      ),
    ).toEqual([413, 'IMAGE_TOO_LARGE']);
    expect(
      await code(call(svc.url, reader, 'POST', '/v1/recognise', await form({ image: [fixtures['fat.jpg']] }))),
    ).toEqual([413, 'UPLOAD_TOO_LARGE']);
    expect(
      await code(call(svc.url, reader, 'POST', '/v1/recognise', Buffer.from('x'), { 'content-type': 'text/plain' })),
    ).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    // A URL that is not valid percent-encoding: Fastify's own error, in the service's shape.
    expect(await code(call(svc.url, reader, 'GET', '/v1/subjects/%FF%FE'))).toEqual([400, 'BAD_REQUEST']);
    // Malformed multipart bodies: no boundary, and a part cut short.
    const cut = Buffer.from(
      '--XX\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\nabc',
      'latin1',
    );
    for (const [type, body] of [
      ['multipart/form-data', Buffer.from('abc')],
      ['multipart/form-data; boundary=XX', cut],
    ] as const)
      expect(await code(call(svc.url, reader, 'POST', '/v1/recognise', body, { 'content-type': type }))).toEqual([
        400,
        'BAD_REQUEST',
      ]);
    expect(await code(call(svc.url, reader, 'POST', '/v1/recognise', await form({}, { session: 'x' })))).toEqual([
      400,
      'IMAGE_MISSING',
    ]);
    expect(
      await code(
        call(
          svc.url,
          reader,
          'POST',
          '/v1/recognise',
          await form({ image: [tom.probes[0]] }, { session: 's1.e30.AAAA' }),
        ),
      ),
    ).toEqual([400, 'SESSION_INVALID']);
    expect(await code(call(svc.url, reader, 'GET', '/v1/subjects/Nobody'))).toEqual([404, 'NOT_FOUND']);
    expect(
      await code(
        call(
          svc.url,
          admin,
          'POST',
          '/v1/subjects',
          await form({ image: tom.gallery.slice(0, 1) }, { name: ' Tom Hanks ' }),
        ),
      ),
    ).toEqual([409, 'SUBJECT_EXISTS']);
    expect(await code(call(svc.url, reader, 'POST', '/v1/feedback', { nope: 1 }))).toEqual([400, 'BAD_REQUEST']);
    expect(await code(call(svc.url, reader, 'GET', '/v1/nothing'))).toEqual([404, 'NOT_FOUND']);

    // 429: the "tiny" key may make 3 requests a minute.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(svc.url, limited, 'GET', '/v1/subjects')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limitedAnswer = await call(svc.url, limited, 'GET', '/v1/subjects');
    expect(limitedAnswer.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limitedAnswer.headers.get('retry-after'))).toBeGreaterThan(0);

    // 503: one worker takes 2 images, the queue holds none; a burst of 8 is partly refused at once, never piled up.
    const photo = await readFile(tom.probes[0]);
    const burst = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(svc.url, reader, 'POST', '/v1/recognise', photo, { 'content-type': 'image/jpeg' }),
      ),
    );
    const busy = burst.filter((r) => r.status === 503);
    expect(burst.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(2);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0].body.error.code).toBe('SERVICE_BUSY');
    expect(busy[0].headers.get('retry-after')).toBe('1');
  });

  it('serves its OpenAPI document, readiness, Prometheus metrics; every log line has the request id, no key', async () => {
    const doc = await call(svc.url, undefined, 'GET', '/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.0.3');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/recognise',
        '/v1/verify',
        '/v1/feedback',
        '/v1/subjects',
        '/v1/subjects/{name}/faces',
      ]),
    );
    expect((await call(svc.url, undefined, 'GET', '/ready')).status).toBe(200);
    const metrics = await call(svc.url, undefined, 'GET', '/metrics');
    expect(metrics.body).toMatch(
      /eolgul_http_requests_total\{method="POST",route="\/v1\/recognise",status="200"\} \d+/,
    );
    expect(metrics.body).toMatch(/eolgul_http_request_duration_seconds_bucket/);
    expect(metrics.body).toMatch(/eolgul_inference_queue_depth 0/);
    expect(metrics.body).toMatch(/eolgul_model_load_seconds \d/);
    const res = await call(svc.url, reader, 'GET', '/v1/subjects', undefined, { 'x-request-id': 'trace-42' });
    expect(res.headers.get('x-request-id')).toBe('trace-42');
    await new Promise((r) => setTimeout(r, 100));
    const requestLines = svc.logs.filter((l) => l.req || l.res || l.code);
    expect(requestLines.length).toBeGreaterThan(20);
    for (const l of requestLines) expect(l.reqId).toEqual(expect.any(String));
    expect(svc.logs.some((l) => l.reqId === 'trace-42')).toBe(true);
    expect(svc.output()).not.toContain(reader);
    expect(svc.output()).not.toContain(admin);
    expect(svc.output()).not.toMatch(/JFIF|\\u00ff\\u00d8/);
  });
});

describe('shutdown', () => {
  it('SIGTERM: in-flight requests finish, new ones are refused, the process exits 0', async () => {
    const drainEnv = { ...env, EOLGUL_QUEUE_LIMIT: '16', EOLGUL_DATA_DIR: join(dir, 'drain') };
    const key = await addKey(drainEnv, 'k', ['recognise']);
    const other = await startService(drainEnv);
    const photo = await readFile(tom.probes[0]);
    const inflight = Array.from({ length: 6 }, () =>
      call(other.url, key, 'POST', '/v1/recognise', photo, { 'content-type': 'image/jpeg' }),
    );
    // SIGTERM once all six are in the service (logged as incoming), most of them still waiting for the one worker.
    const arrived = () => other.logs.filter((l) => l.msg === 'incoming request').length;
    while (arrived() < 6) await new Promise((r) => setTimeout(r, 5));
    other.child.kill('SIGTERM');
    while (!other.logs.some((l) => String(l.msg).startsWith('shutting down')))
      await new Promise((r) => setTimeout(r, 5));
    const late = await fetch(`${other.url}/health`).then(
      (r) => r.status,
      () => 'refused',
    );
    const answers = await Promise.all(inflight);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.every((a) => a.body.faces.length === 1)).toBe(true);
    expect([503, 'refused']).toContain(late);
    expect(await other.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${other.url}/health`)).rejects.toThrow();
    expect(other.logs.some((l) => l.msg === 'stopped')).toBe(true);
  });
});
