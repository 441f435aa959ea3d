#!/usr/bin/env node
/**
 * HNSW recall of PgVectorGalleryStore against exact search, on PostgreSQL + pgvector (PGlite, served over the wire
 * protocol by pglite-socket, reached through `pg`). N rows of D = 128 in identity clusters (N/10 identities × 10
 * images, noise 0.35 around a random centre, normalised), Q probes (new images of random identities).
 * recall@k = |HNSW top-k images ∩ exact top-k images| / k, averaged over probes; exact = brute force in JS (float64).
 *
 *   pnpm --filter @eolgul/gallery build && node packages/gallery/scripts/measure-hnsw-recall.mjs [N] [Q]
 */
import { createServer } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { PgVectorGalleryStore } from '../dist/pg.js';

const N = Number(process.argv[2] ?? 1e5);
const Q = Number(process.argv[3] ?? 100);
const D = 128;
let seed = 12345;
const rnd = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const unit = (v) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};
const centres = Array.from({ length: N / 10 }, () => unit(Array.from({ length: D }, gauss)));
const image = (c) => unit(Array.from(centres[c], (x) => x + (0.35 / Math.sqrt(D)) * 4 * gauss()));

const port = await new Promise((res) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => res(p));
  });
});
const db = await PGlite.create({ extensions: { vector } });
const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 4 });
await server.start();
const conn = { connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, max: 1 };
const store = await PgVectorGalleryStore.open(conn, { create: true, dimension: D, modelId: 'recall', table: 'recall' });
const rows = [];
const t0 = performance.now();
// Bulk load through pg in 1000-row statements into the store's tables (enroll() is one transaction per identity,
// dominated by round trips here); the HNSW index exists already, so rows are inserted into it one by one as in use.
const client = new pg.Client({ connectionString: conn.connectionString });
await client.connect();
const enc = (s) => Buffer.from(s, 'utf8');
await client.query(
  "insert into recall_identities (category, name) select g, convert_to('c' || g, 'UTF8') from generate_series(0, $1::int - 1) g",
  [N / 10],
);
for (let start = 0; start < N; start += 1000) {
  const ids = [];
  const cats = [];
  const vecs = [];
  for (let r = start; r < Math.min(N, start + 1000); r++) {
    const c = Math.floor(r / 10);
    const v = image(c);
    const id = `c${c}_${r % 10}`;
    rows.push([id, v]);
    ids.push(enc(id));
    cats.push(c);
    vecs.push(`[${Array.from(v).join(',')}]`);
  }
  await client.query(
    'insert into recall_embeddings (image_id, category, embedding) select i, c, v::vector from unnest($1::bytea[], $2::int[], $3::text[]) as t(i, c, v)',
    [ids, cats, vecs],
  );
  if ((start / 1000) % 10 === 9)
    console.error(`${rows.length} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
await client.end();
const loadS = (performance.now() - t0) / 1000;
await store.close();
const results = [];
for (const efSearch of [40, 100, 200]) {
  const s = await PgVectorGalleryStore.open(conn, { table: 'recall', hnsw: { efSearch } });
  let r1 = 0;
  let r10 = 0;
  let ms = 0;
  seed = 999;
  for (let q = 0; q < Q; q++) {
    const probe = image(Math.floor(rnd() * (N / 10)));
    const exact = rows
      .map(([id, v]) => {
        let d = 0;
        for (let j = 0; j < D; j++) d += (v[j] - probe[j]) ** 2;
        return [id, d];
      })
      .sort((a, b) => a[1] - b[1])
      .slice(0, 10)
      .map((x) => x[0]);
    const t = performance.now();
    const got = (await s.identify(probe, { k: 10, per: 'image' })).map((m) => m.imageId);
    ms += performance.now() - t;
    if (got[0] === exact[0]) r1++;
    r10 += got.filter((id) => exact.includes(id)).length / 10;
  }
  results.push({ efSearch, recall1: r1 / Q, recall10: r10 / Q, msPerQuery: ms / Q });
  console.log(
    `ef_search=${efSearch}: recall@1 ${(r1 / Q).toFixed(3)}, recall@10 ${(r10 / Q).toFixed(3)}, ${(ms / Q).toFixed(1)} ms/query`,
  );
  await s.close();
}
console.log(JSON.stringify({ N, D, Q, loadS: Math.round(loadS), m: 16, efConstruction: 64, results }));
await server.stop();
await db.close();
