/**
 * The one conformance suite every gallery storage backend passes (in-memory, NPY directory, PostgreSQL + pgvector).
 * Results are checked against a brute-force oracle over the same vectors, with core's `euclideanDistance`.
 */
import { describe, expect, it } from 'vitest';
import {
  EmbeddingDimensionError,
  InvalidArgumentError,
  InvalidEmbeddingError,
  UnknownIdentityError,
  euclideanDistance,
} from '@eolgul/core';
import type { GalleryStore, Match } from '../src/index.js';
import { clusters, near, oracle, oracleIdentities, rng, unitVector, type OracleRow } from './gallery-test-data.js';

export interface StoreHarness {
  /** A new, empty store of dimension D. */
  create(dimension: number): Promise<GalleryStore>;
  /** Closes `store` and opens the same data again (the in-memory store returns itself). */
  reopen(store: GalleryStore): Promise<GalleryStore>;
  /** Whether reopen really goes through storage. */
  persistent: boolean;
  /** Distance tolerance (databases may compute in float32). */
  tolerance?: number;
}

const D = 32;
/** Runs `f` so that a synchronous throw and a rejection both become a rejection. */
const later = <T>(f: () => T): Promise<Awaited<T>> => Promise.resolve().then(f) as Promise<Awaited<T>>;
const NAMES = ['Ada', 'Bo', 'Chen', '김민지', 'Zoë'];

async function seeded(h: StoreHarness) {
  const store = await h.create(D);
  const data = clusters(NAMES, 3, D, 7);
  for (const c of data) await store.enroll(c.name, c.embeddings, c.imageIds);
  const rows: OracleRow[] = data.flatMap((c) =>
    c.embeddings.map((v, i) => ({ identity: c.name, imageId: c.imageIds[i], vector: v })),
  );
  return { store, data, rows };
}

export function runGalleryStoreConformance(name: string, h: StoreHarness): void {
  const tol = h.tolerance ?? 1e-6;
  const digits = -Math.log10(tol);

  describe(`GalleryStore conformance: ${name}`, () => {
    it('starts empty: count 0, no identities, identify gives []', async () => {
      const store = await h.create(D);
      try {
        expect(await store.count()).toBe(0);
        expect(await store.identities()).toEqual([]);
        expect(await store.identify(unitVector(D, rng(1)))).toEqual([]);
        expect(store.dimension).toBe(D);
      } finally {
        await store.close();
      }
    });

    it('enrolls and identifies the nearest identity with the exact L2 distance', async () => {
      const { store, data, rows } = await seeded(h);
      try {
        expect(await store.count()).toBe(15);
        expect(await store.identities()).toEqual([...NAMES].sort());
        const r = rng(99);
        for (const c of data) {
          const probe = near(c.center, 0.05, r);
          const [m, ...rest] = await store.identify(probe, { mode: 'nearest-image', threshold: 0.5 });
          const want = oracle(rows, probe)[0];
          expect(rest).toEqual([]);
          expect(m.identity).toBe(c.name);
          expect(m.imageId).toBe(want.imageId);
          expect(m.distance).toBeCloseTo(want.distance, digits);
          expect(m.accepted).toBe(true);
        }
      } finally {
        await store.close();
      }
    });

    it('k nearest distinct identities (default) and k nearest images (per: image), sorted by distance', async () => {
      const { store, rows } = await seeded(h);
      try {
        const probe = unitVector(D, rng(5));
        const byId = await store.identify(probe, { mode: 'nearest-image', k: 3, threshold: 2 });
        const wantId = oracleIdentities(rows, probe, 3);
        expect(byId.map((m) => m.identity)).toEqual(wantId.map((m) => m.identity));
        byId.forEach((m, i) => {
          expect(m.distance).toBeCloseTo(wantId[i].distance, digits);
        });
        const byImage = await store.identify(probe, { mode: 'nearest-image', k: 4, per: 'image' });
        expect(byImage.map((m) => m.imageId)).toEqual(
          oracle(rows, probe)
            .slice(0, 4)
            .map((m) => m.imageId),
        );
        const all = await store.identify(probe, { mode: 'nearest-image', k: 100 });
        expect(all.map((m) => m.identity).sort()).toEqual([...NAMES].sort());
        for (let i = 1; i < all.length; i++) expect(all[i].distance).toBeGreaterThanOrEqual(all[i - 1].distance);
      } finally {
        await store.close();
      }
    });

    it("accepted is distance <= threshold; the default threshold is the store's", async () => {
      const { store, data } = await seeded(h);
      try {
        const probe = near(data[0].center, 0.3, rng(3));
        const [m] = await store.identify(probe, { mode: 'nearest-image' });
        expect(m.accepted).toBe(m.distance <= store.defaultThreshold);
        expect((await store.identify(probe, { mode: 'nearest-image', threshold: m.distance + tol }))[0].accepted).toBe(
          true,
        );
        expect((await store.identify(probe, { mode: 'nearest-image', threshold: m.distance * 0.99 }))[0].accepted).toBe(
          false,
        );
        expect((await store.identify(probe, { mode: 'nearest-image', threshold: 0 }))[0].accepted).toBe(false);
      } finally {
        await store.close();
      }
    });

    it('options.exclude and session.reject leave identities out; other sessions are not affected', async () => {
      const { store, data, rows } = await seeded(h);
      try {
        const probe = near(data[1].center, 0.02, rng(11));
        expect((await store.identify(probe, { mode: 'nearest-image' }))[0].identity).toBe('Bo');
        const second = oracleIdentities(rows, probe, 2)[1];
        expect((await store.identify(probe, { mode: 'nearest-image', exclude: ['Bo'] }))[0].identity).toBe(
          second.identity,
        );
        const s1 = store.session();
        const s2 = store.session();
        s1.reject('Bo');
        s1.reject('Bo');
        expect(s1.rejected()).toEqual(['Bo']);
        expect((await s1.identify(probe, { mode: 'nearest-image' }))[0].identity).toBe(second.identity);
        s1.reject(second.identity);
        const third = oracleIdentities(rows, probe, 3)[2];
        expect((await s1.identify(probe, { mode: 'nearest-image' }))[0].identity).toBe(third.identity);
        expect((await s2.identify(probe, { mode: 'nearest-image' }))[0].identity).toBe('Bo');
        expect((await store.identify(probe, { mode: 'nearest-image' }))[0].identity).toBe('Bo');
        // Excluding every identity leaves nothing.
        expect(await store.identify(probe, { mode: 'nearest-image', exclude: NAMES })).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('excludeImage skips one image in every search until includeImage; exclusions persist', async () => {
      let { store, data, rows } = await seeded(h);
      try {
        const probe = data[2].embeddings[1];
        const [first] = await store.identify(probe, { mode: 'nearest-image', per: 'image' });
        expect(first.imageId).toBe(data[2].imageIds[1]);
        expect(first.distance).toBeCloseTo(0, 3);
        await store.excludeImage(first.imageId);
        await store.excludeImage(first.imageId);
        expect(await store.excludedImages()).toEqual([first.imageId]);
        const rest = rows.filter((r) => r.imageId !== first.imageId);
        const [next] = await store.identify(probe, { mode: 'nearest-image', per: 'image' });
        expect(next.imageId).toBe(oracle(rest, probe)[0].imageId);
        const s = store.session();
        expect((await s.identify(probe, { mode: 'nearest-image', per: 'image' }))[0].imageId).toBe(next.imageId);
        store = await h.reopen(store);
        expect(await store.excludedImages()).toEqual([first.imageId]);
        expect((await store.identify(probe, { mode: 'nearest-image', per: 'image' }))[0].imageId).toBe(next.imageId);
        await store.includeImage(first.imageId);
        expect(await store.excludedImages()).toEqual([]);
        expect((await store.identify(probe, { mode: 'nearest-image', per: 'image' }))[0].imageId).toBe(first.imageId);
        await expect(store.excludeImage('no-such.jpg')).rejects.toBeInstanceOf(UnknownIdentityError);
        await expect(store.includeImage('no-such.jpg')).rejects.toBeInstanceOf(UnknownIdentityError);
      } finally {
        await store.close();
      }
    });

    it('remove deletes an identity or one image and says how many rows; unknown names are a typed error', async () => {
      let { store, data } = await seeded(h);
      try {
        expect(await store.remove('Chen')).toBe(3);
        expect(await store.identities()).not.toContain('Chen');
        expect(await store.count()).toBe(12);
        const probe = near(data[2].center, 0.01, rng(4));
        expect((await store.identify(probe, { mode: 'nearest-image', k: 10 })).map((m) => m.identity)).not.toContain(
          'Chen',
        );
        expect(await store.remove(data[0].imageIds[0])).toBe(1);
        expect(await store.count()).toBe(11);
        await expect(store.remove('Chen')).rejects.toBeInstanceOf(UnknownIdentityError);
        await expect(store.remove('nobody')).rejects.toMatchObject({ code: 'UNKNOWN_IDENTITY' });
        store = await h.reopen(store);
        expect(await store.count()).toBe(11);
        expect(await store.identities()).toEqual(NAMES.filter((n) => n !== 'Chen').sort());
        const hits = await store.identify(data[0].embeddings[0], { mode: 'nearest-image', k: 20, per: 'image' });
        expect(hits.map((m) => m.imageId)).not.toContain(data[0].imageIds[0]);
        // Enrolling a removed identity again works.
        await store.enroll('Chen', data[2].embeddings, data[2].imageIds);
        expect((await store.identify(probe, { mode: 'nearest-image' }))[0].identity).toBe('Chen');
      } finally {
        await store.close();
      }
    });

    it('rename changes the name everywhere; renaming onto an existing name merges', async () => {
      let { store, data } = await seeded(h);
      try {
        await store.rename('Ada', 'Ada Lovelace');
        expect(await store.identities()).toContain('Ada Lovelace');
        expect(await store.identities()).not.toContain('Ada');
        expect((await store.identify(data[0].embeddings[0]))[0].identity).toBe('Ada Lovelace');
        await store.rename('Bo', 'Zoë');
        expect(await store.identities()).toEqual(['Ada Lovelace', 'Chen', 'Zoë', '김민지'].sort());
        expect((await store.identify(data[1].embeddings[0]))[0].identity).toBe('Zoë');
        await expect(store.rename('Bo', 'X')).rejects.toBeInstanceOf(UnknownIdentityError);
        store = await h.reopen(store);
        expect((await store.identify(data[1].embeddings[0]))[0].identity).toBe('Zoë');
        expect((await store.identify(data[0].embeddings[0]))[0].identity).toBe('Ada Lovelace');
        expect(await store.count()).toBe(15);
        // A renamed identity keeps enrolling under the new name.
        await store.enroll('Ada Lovelace', [near(data[0].center, 0.05, rng(8))], ['ada-extra.jpg']);
        expect(await store.count()).toBe(16);
      } finally {
        await store.close();
      }
    });

    it('reopen gives the same identities, counts and search results', async () => {
      let { store } = await seeded(h);
      try {
        const probes = Array.from({ length: 5 }, (_, i) => unitVector(D, rng(100 + i)));
        const before: Match[][] = [];
        for (const p of probes) before.push(await store.identify(p, { mode: 'nearest-image', k: 3 }));
        store = await h.reopen(store);
        expect(await store.count()).toBe(15);
        expect(await store.identities()).toEqual([...NAMES].sort());
        for (let i = 0; i < probes.length; i++) {
          const after = await store.identify(probes[i], { mode: 'nearest-image', k: 3 });
          expect(after.map((m) => m.identity)).toEqual(before[i].map((m) => m.identity));
          after.forEach((m, j) => {
            expect(m.distance).toBeCloseTo(before[i][j].distance, digits);
          });
        }
      } finally {
        await store.close();
      }
    });

    it("template mode compares with each identity's normalised mean embedding", async () => {
      const { store, data } = await seeded(h);
      try {
        const probe = unitVector(D, rng(21));
        const hits = await store.identify(probe, { mode: 'identity-mean', k: NAMES.length, threshold: 2 });
        expect(hits.map((m) => m.identity).sort()).toEqual([...NAMES].sort());
        for (const m of hits) {
          const c = data.find((x) => x.name === m.identity)!;
          const mean = new Float64Array(D);
          c.embeddings.forEach((v) => {
            v.forEach((x, j) => {
              mean[j] += x;
            });
          });
          const n = Math.hypot(...mean);
          const template = Float32Array.from(mean, (x) => x / n);
          expect(m.distance).toBeCloseTo(euclideanDistance(probe, template), digits - 1);
          expect(c.imageIds).toContain(m.imageId);
        }
        for (let i = 1; i < hits.length; i++) expect(hits[i].distance).toBeGreaterThanOrEqual(hits[i - 1].distance);
      } finally {
        await store.close();
      }
    });

    it('refuses bad embeddings and bad batches with typed errors, storing nothing (all or nothing)', async () => {
      const { store, data } = await seeded(h);
      try {
        const good = near(data[0].center, 0.05, rng(2));
        const nan = good.slice();
        nan[3] = NaN;
        const inf = good.slice();
        inf[0] = Infinity;
        await expect(
          store.enroll('Eve', [good, new Float32Array(D + 1).fill(0.1)], ['e1', 'e2']),
        ).rejects.toBeInstanceOf(EmbeddingDimensionError);
        await expect(store.enroll('Eve', [good, nan], ['e1', 'e2'])).rejects.toBeInstanceOf(InvalidEmbeddingError);
        await expect(store.enroll('Eve', [inf], ['e1'])).rejects.toBeInstanceOf(InvalidEmbeddingError);
        await expect(store.enroll('Eve', [new Float32Array(D)], ['e1'])).rejects.toMatchObject({
          code: 'INVALID_EMBEDDING',
        });
        await expect(store.enroll('Eve', [good], [])).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.enroll('Eve', [good, good], ['e1', 'e1'])).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.enroll('Eve', [good], [data[0].imageIds[0]])).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.enroll('', [good], ['e1'])).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.enroll('Eve', [], [])).rejects.toBeInstanceOf(InvalidArgumentError);
        expect(await store.count()).toBe(15);
        expect(await store.identities()).not.toContain('Eve');
        await expect(later(() => store.identify(nan, { mode: 'nearest-image' }))).rejects.toBeInstanceOf(
          InvalidEmbeddingError,
        );
        await expect(later(() => store.identify(new Float32Array(D - 1).fill(1)))).rejects.toBeInstanceOf(
          EmbeddingDimensionError,
        );
        await expect(later(() => store.identify(good, { mode: 'nearest-image', k: 0 }))).rejects.toBeInstanceOf(
          InvalidArgumentError,
        );
        await expect(
          later(() => store.identify(good, { mode: 'nearest-image', threshold: NaN })),
        ).rejects.toBeInstanceOf(InvalidArgumentError);
      } finally {
        await store.close();
      }
    });

    it('names are data: path-like, NUL, quotes, newlines, Korean and emoji round-trip', async () => {
      let store = await h.create(D);
      const names = [
        '../../x',
        'a/b',
        'nul\u0000byte',
        'quote "and", comma',
        'line\nbreak',
        '한국어 이름',
        '🙂',
        ' padded ',
      ];
      try {
        const r = rng(31);
        const vecs = names.map(() => unitVector(D, r));
        for (let i = 0; i < names.length; i++) await store.enroll(names[i], [vecs[i]], [`${names[i]}/img.jpg`]);
        store = await h.reopen(store);
        expect(await store.identities()).toEqual([...names].sort());
        for (let i = 0; i < names.length; i++) {
          const [m] = await store.identify(vecs[i]);
          expect(m.identity).toBe(names[i]);
          expect(m.imageId).toBe(`${names[i]}/img.jpg`);
        }
        await expect(store.enroll('\ud800', [vecs[0]], ['lone'])).rejects.toBeInstanceOf(InvalidArgumentError);
      } finally {
        await store.close();
      }
    });
  });
}
