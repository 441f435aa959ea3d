/**
 * Test data for the gallery: seeded random unit vectors (Gaussian directions, L2-normalised, as face embeddings are)
 * grouped in identity clusters, and a brute-force oracle to check searches against.
 */
import { euclideanDistance } from '@eolgul/core';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box–Muller). */
export function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** A uniformly random unit vector of length D. */
export function unitVector(D: number, r: () => number): Float32Array {
  const v = new Float64Array(D);
  let n = 0;
  for (let i = 0; i < D; i++) {
    v[i] = gauss(r);
    n += v[i] * v[i];
  }
  n = Math.sqrt(n);
  return Float32Array.from(v, (x) => x / n);
}

/** `center + noise · N(0, I)`, normalised: a new image of the same identity. */
export function near(center: Float32Array, noise: number, r: () => number): Float32Array {
  const v = new Float64Array(center.length);
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = center[i] + noise * gauss(r);
    n += v[i] * v[i];
  }
  n = Math.sqrt(n);
  return Float32Array.from(v, (x) => x / n);
}

/** Identities with `perIdentity` images each, around random centres. */
export function clusters(names: readonly string[], perIdentity: number, D: number, seed: number, noise = 0.05) {
  const r = rng(seed);
  return names.map((name) => {
    const center = unitVector(D, r);
    const embeddings = Array.from({ length: perIdentity }, () => near(center, noise, r));
    const imageIds = embeddings.map((_, k) => `${name}_${String(k + 1).padStart(4, '0')}.jpg`);
    return { name, center, embeddings, imageIds };
  });
}

export interface OracleRow {
  identity: string;
  imageId: string;
  vector: Float32Array;
}

/** Brute-force nearest rows: every distance computed with core's `euclideanDistance`, sorted. */
export function oracle(rows: readonly OracleRow[], probe: Float32Array) {
  return rows
    .map((row) => ({ identity: row.identity, imageId: row.imageId, distance: euclideanDistance(probe, row.vector) }))
    .sort((a, b) => a.distance - b.distance);
}

/** The k nearest distinct identities by the oracle. */
export function oracleIdentities(rows: readonly OracleRow[], probe: Float32Array, k: number) {
  const seen = new Set<string>();
  const out = [];
  for (const hit of oracle(rows, probe)) {
    if (seen.has(hit.identity)) continue;
    seen.add(hit.identity);
    out.push(hit);
    if (out.length === k) break;
  }
  return out;
}
