import { InvalidArgumentError, UnknownIdentityError } from '@eolgul/core';
import type { GalleryMatrix } from './gallery-matrix.js';

/**
 * Changes to a gallery, in two forms: a {@link Plan} (what to do to the in-memory state, computed from the current
 * state and validated against it) and a {@link GalleryChange} (what was done, which a store writes in its own layout;
 * no store's file or table names appear here).
 * @module
 */

/** A planned change: validated against the current state, then applied and stored. */
export type Plan<T> = { result: T } & (
  | { kind: 'none' }
  | {
      kind: 'append';
      values: Float32Array;
      imageIds: string[];
      identityOf: number[];
      newIdentities: Map<number, string>;
    }
  | { kind: 'drop'; drop: Uint8Array }
  | { kind: 'rename'; identity: number; name: string }
  | { kind: 'merge'; from: number; to: number }
  | { kind: 'exclusions'; ids: Set<string> }
);

/** What a committed change did, described on the new in-memory state. */
export type GalleryChange =
  /** Rows `[fromRow, matrix.rows)` were appended; identity numbers `newIdentities` were created for them. */
  | { kind: 'enroll'; fromRow: number; newIdentities: readonly number[] }
  /** The rows of these image ids were removed (with their exclusions, and identities left without rows). */
  | { kind: 'remove'; imageIds: readonly string[] }
  /** Identity `from` is now called `to`; with `merge`, its rows joined the existing identity `to`. */
  | { kind: 'rename'; from: string; to: string; merge: boolean }
  /** The set of excluded images changed. */
  | { kind: 'exclusions' };

/** Applies `p` to `m` (in place where possible: appends never copy the matrix) and describes what changed. */
export function applyPlan(m: GalleryMatrix, p: Plan<unknown>): { next: GalleryMatrix; change: GalleryChange | null } {
  switch (p.kind) {
    case 'none':
      return { next: m, change: null };
    case 'append': {
      const fromRow = m.rows;
      for (const [c, name] of p.newIdentities) m.setIdentity(c, name);
      const D = m.dimension;
      let start = 0;
      // Consecutive rows of one identity are appended together.
      for (let i = 1; i <= p.identityOf.length; i++) {
        if (i === p.identityOf.length || p.identityOf[i] !== p.identityOf[start]) {
          m.appendRows(p.values.subarray(start * D, i * D), p.imageIds.slice(start, i), p.identityOf[start]);
          start = i;
        }
      }
      return { next: m, change: { kind: 'enroll', fromRow, newIdentities: [...p.newIdentities.keys()] } };
    }
    case 'drop': {
      const imageIds: string[] = [];
      for (let r = 0; r < m.rows; r++) if (p.drop[r]) imageIds.push(m.imageIds[r]);
      return { next: m.without(p.drop), change: { kind: 'remove', imageIds } };
    }
    case 'rename': {
      const from = m.names[p.identity] as string;
      m.setIdentity(p.identity, p.name);
      return { next: m, change: { kind: 'rename', from, to: p.name, merge: false } };
    }
    case 'merge': {
      for (let r = 0; r < m.rows; r++) if (m.identityOf[r] === p.from) m.identityOf[r] = p.to;
      m.rowCount[p.to] += m.rowCount[p.from];
      m.rowCount[p.from] = 0;
      const old = m.names[p.from] as string;
      m.names[p.from] = undefined;
      if (m.numberOfName.get(old) === p.from) m.numberOfName.delete(old);
      m.version++;
      return { next: m, change: { kind: 'rename', from: old, to: m.names[p.to] as string, merge: true } };
    }
    case 'exclusions':
      m.setExcluded(p.ids);
      return { next: m, change: { kind: 'exclusions' } };
  }
}

/**
 * Plans enrolling rows of several identities: row i of `values` (`[n, D]`) belongs to `identities[i]` with id
 * `imageIds[i]`. Rows of one identity are regrouped into runs (stably) when they are interleaved.
 * @throws {InvalidArgumentError} an image id already enrolled.
 */
export function planEnroll(
  m: GalleryMatrix,
  identities: readonly string[],
  values: Float32Array,
  imageIds: readonly string[],
): Plan<void> {
  for (const id of imageIds) {
    if (m.rowOfImage.has(id)) throw new InvalidArgumentError(`image id ${JSON.stringify(id)} is already enrolled`);
  }
  const newIdentities = new Map<number, string>();
  const numberOf = new Map<string, number>();
  let next = m.nextIdentityNumber();
  const identityOf = identities.map((name) => {
    let c = numberOf.get(name) ?? m.numberOfName.get(name);
    if (c === undefined) {
      c = next++;
      newIdentities.set(c, name);
    }
    numberOf.set(name, c);
    return c;
  });
  let grouped = true;
  const firstSeen = new Set<number>();
  for (let i = 0; i < identityOf.length && grouped; i++) {
    if (i > 0 && identityOf[i] !== identityOf[i - 1] && firstSeen.has(identityOf[i])) grouped = false;
    firstSeen.add(identityOf[i]);
  }
  if (grouped)
    return { kind: 'append', values, imageIds: imageIds.slice(), identityOf, newIdentities, result: undefined };
  const order = identityOf.map((_, i) => i).sort((a, b) => identityOf[a] - identityOf[b] || a - b);
  const D = m.dimension;
  const sorted = new Float32Array(values.length);
  order.forEach((src, dst) => {
    sorted.set(values.subarray(src * D, (src + 1) * D), dst * D);
  });
  return {
    kind: 'append',
    values: sorted,
    imageIds: order.map((i) => imageIds[i]),
    identityOf: order.map((i) => identityOf[i]),
    newIdentities,
    result: undefined,
  };
}

/** The identity number of a live identity, looked up in NFC (and as given, for names stored before NFC). */
export function identityNumberOf(m: GalleryMatrix, name: unknown): number | undefined {
  if (typeof name !== 'string') return undefined;
  const c = m.numberOfName.get(name.normalize('NFC')) ?? m.numberOfName.get(name);
  return c !== undefined && m.rowCount[c] > 0 ? c : undefined;
}

/** The row of an image id, looked up in NFC (and as given, for ids stored before NFC). */
export function rowOfImageId(m: GalleryMatrix, imageId: string): number | undefined {
  return m.rowOfImage.get(imageId.normalize('NFC')) ?? m.rowOfImage.get(imageId);
}

/**
 * Plans removing an identity (all its rows) or one image. `kind` says which `key` means; without it, a key that is
 * both is refused.
 * @throws {UnknownIdentityError} neither. @throws {InvalidArgumentError} ambiguous without `kind`.
 */
export function planRemove(m: GalleryMatrix, key: string, kind?: 'identity' | 'image'): Plan<number> {
  const drop = new Uint8Array(m.rows);
  let n = 0;
  let c = identityNumberOf(m, key);
  const row = rowOfImageId(m, key);
  if (kind === undefined && c !== undefined && row !== undefined) {
    throw new InvalidArgumentError(
      `${JSON.stringify(key)} is both an identity and an image id: say which (kind: 'identity' | 'image')`,
    );
  }
  if (kind === 'image') c = undefined;
  if (kind === 'identity' && c === undefined) throw new UnknownIdentityError(key);
  if (c !== undefined) {
    for (let r = 0; r < m.rows; r++) {
      if (m.identityOf[r] === c) {
        drop[r] = 1;
        n++;
      }
    }
  } else {
    if (row === undefined) throw new UnknownIdentityError(key);
    drop[row] = 1;
    n = 1;
  }
  return { kind: 'drop', drop, result: n };
}

/**
 * Plans renaming `oldName` to `to` (NFC); onto an existing name, a merge.
 * @throws {UnknownIdentityError} `oldName` is not enrolled.
 */
export function planRename(m: GalleryMatrix, oldName: unknown, to: string): Plan<void> {
  const from = identityNumberOf(m, oldName);
  if (from === undefined) throw new UnknownIdentityError(String(oldName));
  const existing = identityNumberOf(m, to);
  if (existing === from) {
    // Same identity; only the stored spelling may differ (a name stored before NFC).
    return m.names[from] === to
      ? { kind: 'none', result: undefined }
      : { kind: 'rename', identity: from, name: to, result: undefined };
  }
  if (existing !== undefined) return { kind: 'merge', from, to: existing, result: undefined };
  return { kind: 'rename', identity: from, name: to, result: undefined };
}

/**
 * Plans leaving an image out of searches (`exclude` true) or back in; nothing when it already is.
 * @throws {UnknownIdentityError} the image id is not enrolled.
 */
export function planExclusion(m: GalleryMatrix, imageId: string, exclude: boolean): Plan<void> {
  const r = rowOfImageId(m, imageId);
  if (r === undefined) throw new UnknownIdentityError(imageId);
  const id = m.imageIds[r];
  if (m.excluded.has(id) === exclude) return { kind: 'none', result: undefined };
  const ids = new Set(m.excluded);
  if (exclude) ids.add(id);
  else ids.delete(id);
  return { kind: 'exclusions', ids, result: undefined };
}
