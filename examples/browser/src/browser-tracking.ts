import type { Box } from 'eolgul';

/**
 * Frame-to-frame face tracking and the "Is this you?" prompt schedule of the recognition loop. Plain logic: no model,
 * no DOM.
 *
 * Faces are detected (box + landmarks) on every frame; the embedding and the emotion of a face are recomputed when its
 * track is new or its last ones are older than the refresh interval. Identification itself (a search of the in-memory
 * gallery on the track's latest embedding) runs on every frame, so a "No" takes effect on the next frame.
 * @module
 */

/** Intersection over union of two `[x, y, w, h]` boxes, in [0, 1]. */
export function boxIou(a: Box | readonly number[], b: Box | readonly number[]): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

/** One tracked face. `T` is what the app stores with it (embedding, emotion...). */
export interface Track<T> {
  /** Stable id while the face stays in view. */
  readonly id: number;
  /** Latest box, pixels. */
  box: Box;
  /** Time the face was last seen, milliseconds. */
  lastSeen: number;
  /** App data. */
  data: T;
}

/**
 * Greedy IoU tracker: each face joins the unmatched track it overlaps most (IoU ≥ `minIou`), else starts a new track;
 * tracks unseen for `maxAgeMs` are dropped.
 */
export class FaceTracker<T> {
  private tracks: Track<T>[] = [];
  private nextId = 1;

  /**
   * @param init creates the data of a new track.
   * @param minIou least overlap to continue a track (default 0.3).
   * @param maxAgeMs a track unseen this long is dropped, milliseconds (default 500).
   */
  constructor(
    private readonly init: () => T,
    private readonly minIou = 0.3,
    private readonly maxAgeMs = 500,
  ) {}

  /**
   * Assigns this frame's faces to tracks.
   * @param boxes the faces' boxes. @param now frame time, milliseconds.
   * @returns one track per box, in box order.
   */
  update(boxes: readonly Box[], now: number): Track<T>[] {
    this.tracks = this.tracks.filter((t) => now - t.lastSeen <= this.maxAgeMs);
    const pairs: { i: number; t: Track<T>; iou: number }[] = [];
    boxes.forEach((b, i) => {
      for (const t of this.tracks) {
        const iou = boxIou(b, t.box);
        if (iou >= this.minIou) pairs.push({ i, t, iou });
      }
    });
    pairs.sort((a, b) => b.iou - a.iou);
    const out: (Track<T> | undefined)[] = new Array(boxes.length);
    const used = new Set<Track<T>>();
    for (const p of pairs) {
      if (out[p.i] || used.has(p.t)) continue;
      out[p.i] = p.t;
      used.add(p.t);
    }
    return boxes.map((b, i) => {
      let t = out[i];
      if (!t) {
        t = { id: this.nextId++, box: b, lastSeen: now, data: this.init() };
        this.tracks.push(t);
      }
      t.box = b;
      t.lastSeen = now;
      return t;
    });
  }

  /** Forgets every track (e.g. when the gallery changes). */
  clear(): void {
    this.tracks = [];
  }
}

/** What the prompt should do now. */
export type PromptAction = { kind: 'none' } | { kind: 'ask'; identity: string };

/**
 * When to ask "Is this you, <name>?": at most once every `intervalMs`, for the best accepted match in view, never
 * while a question is open, never again for an identity the user confirmed or rejected in this session.
 */
export class ConfirmSchedule {
  private openFor: string | null = null;
  private lastClosed: number;
  private readonly confirmed = new Set<string>();
  private readonly rejected = new Set<string>();

  /**
   * @param intervalMs least time between closing one question and asking the next, milliseconds (default 3000).
   * @param start time the loop started; the first question comes `firstDelayMs` after it.
   * @param firstDelayMs default 1500.
   */
  constructor(
    private readonly intervalMs = 3000,
    start = 0,
    firstDelayMs = 1500,
  ) {
    this.lastClosed = start - intervalMs + firstDelayMs;
  }

  /** The identity asked about, while a question is open. */
  get asking(): string | null {
    return this.openFor;
  }

  /** Identities the user said "Yes" to. */
  get confirmedIdentities(): string[] {
    return [...this.confirmed];
  }

  /**
   * @param best the nearest accepted match of the faces in view (`null` when none is accepted).
   * @param now milliseconds.
   */
  update(best: { identity: string } | null, now: number): PromptAction {
    if (this.openFor !== null || !best) return { kind: 'none' };
    if (this.confirmed.has(best.identity) || this.rejected.has(best.identity)) return { kind: 'none' };
    if (now - this.lastClosed < this.intervalMs) return { kind: 'none' };
    this.openFor = best.identity;
    return { kind: 'ask', identity: best.identity };
  }

  /**
   * Records the answer to the open question.
   * @param yes true for "Yes, that's me".
   * @returns the identity answered about, or `null` when no question was open.
   */
  answer(yes: boolean, now: number): string | null {
    const who = this.openFor;
    if (who === null) return null;
    (yes ? this.confirmed : this.rejected).add(who);
    this.openFor = null;
    this.lastClosed = now;
    return who;
  }
}

/** Frames per second over a sliding window. */
export class FpsMeter {
  private times: number[] = [];
  /** @param windowMs window length, milliseconds (default 2000). */
  constructor(private readonly windowMs = 2000) {}
  /** Records a processed frame at `now` (milliseconds). */
  tick(now: number): void {
    this.times.push(now);
    while (this.times.length > 0 && now - this.times[0] > this.windowMs) this.times.shift();
  }
  /** Frames per second over the window (0 before two frames). */
  get fps(): number {
    const n = this.times.length;
    if (n < 2) return 0;
    const span = this.times[n - 1] - this.times[0];
    return span > 0 ? ((n - 1) * 1000) / span : 0;
  }
}
