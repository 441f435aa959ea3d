/**
 * The deterministic operation sequence of the durability test, shared by the child process (which performs it on a
 * gallery directory) and the parent test (which replays it on a plain model to know every valid state).
 */

export const DURABILITY_D = 64;

/** The vector of image `imageId`: a unit vector derived from its name, so any row can be checked after a crash. */
export function vectorOf(imageId: string, D = DURABILITY_D): Float32Array {
  let h = 2166136261;
  for (let i = 0; i < imageId.length; i++) h = Math.imul(h ^ imageId.charCodeAt(i), 16777619);
  let a = h >>> 0;
  const v = new Float64Array(D);
  let n = 0;
  for (let i = 0; i < D; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    v[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    n += v[i] * v[i];
  }
  n = Math.sqrt(n);
  return Float32Array.from(v, (x) => x / n);
}

export type Op =
  | { kind: 'enroll'; identity: string; imageIds: string[] }
  | { kind: 'remove'; name: string }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'exclude'; imageId: string }
  | { kind: 'include'; imageId: string };

/** Operation `i` of the sequence named `prefix`. With `mixed`, removes, renames and exclusions are interleaved. */
export function opAt(prefix: string, i: number, mixed: boolean): Op {
  const id = (j: number) => `${prefix}${j} 사람/../${j}`; // path-like Unicode names on purpose
  if (mixed && i >= 5) {
    if (i % 6 === 1) return { kind: 'remove', name: id(i - 5) };
    if (i % 6 === 3) return { kind: 'rename', from: id(i - 4), to: `renamed ${id(i - 4)}` };
    if (i % 6 === 4) return { kind: 'exclude', imageId: `${id(i - 2)}#0` };
    if (i % 12 === 5) return { kind: 'include', imageId: `${id(i - 3)}#0` };
  }
  const n = 1 + (i % 3);
  return { kind: 'enroll', identity: id(i), imageIds: Array.from({ length: n }, (_, k) => `${id(i)}#${k}`) };
}

/** A plain model of a gallery: identity → image ids, and the excluded image ids. */
export interface ModelState {
  identities: Map<string, string[]>;
  excluded: Set<string>;
}

/** Applies `op` to `s` (in place) the way the gallery does; ops that would fail are no-ops (the child skips them too). */
export function applyOp(s: ModelState, op: Op): void {
  switch (op.kind) {
    case 'enroll':
      s.identities.set(op.identity, [...(s.identities.get(op.identity) ?? []), ...op.imageIds]);
      return;
    case 'remove':
      for (const img of s.identities.get(op.name) ?? []) s.excluded.delete(img);
      s.identities.delete(op.name);
      return;
    case 'rename': {
      const imgs = s.identities.get(op.from);
      if (!imgs) return;
      s.identities.delete(op.from);
      s.identities.set(op.to, [...(s.identities.get(op.to) ?? []), ...imgs]);
      return;
    }
    case 'exclude':
    case 'include': {
      const known = [...s.identities.values()].some((imgs) => imgs.includes(op.imageId));
      if (!known) return;
      if (op.kind === 'exclude') s.excluded.add(op.imageId);
      else s.excluded.delete(op.imageId);
      return;
    }
  }
}

/** Canonical text of a state, for comparing. */
export function stateKey(s: ModelState): string {
  const ids = [...s.identities.entries()]
    .map(([k, v]) => [k, [...v].sort()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return JSON.stringify({ ids, excluded: [...s.excluded].sort() });
}
