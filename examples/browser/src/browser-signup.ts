import { InvalidArgumentError } from 'eolgul';

/**
 * Sign-up capture: decides, frame by frame, whether the camera frame is taken as one of the user's enrollment photos.
 * A frame is taken when it holds exactly one face, large enough, at least `minIntervalMs` after the previous capture
 * (so the photos are different moments, not ten copies of one). Other frames are skipped with a reason the page shows.
 * Plain logic: no model, no DOM.
 * @module
 */

/** Why a frame was not taken. */
export type SkipReason = 'no-face' | 'several-faces' | 'face-too-small';

/** What to do with one frame. */
export type CaptureDecision =
  | { action: 'capture' }
  | { action: 'skip'; reason: SkipReason; message: string }
  /** A usable frame, but too soon after the previous capture. */
  | { action: 'wait' };

/** Options of {@link SignupCapture}. */
export interface SignupOptions {
  /** Photos to take (default 10). */
  target?: number;
  /** Least time between two captures, milliseconds (default 300). */
  minIntervalMs?: number;
  /** Smallest face box side taken, pixels (default 48: smaller faces embed poorly). */
  minFaceSize?: number;
}

/** Frozen defaults of {@link SignupOptions}. */
export const DEFAULT_SIGNUP_OPTIONS: Readonly<Required<SignupOptions>> = Object.freeze({
  target: 10,
  minIntervalMs: 300,
  minFaceSize: 48,
});

/** Human-readable text of a skip reason. */
export function skipMessage(reason: SkipReason, faces: number): string {
  switch (reason) {
    case 'no-face':
      return 'skipped: no face in the frame';
    case 'several-faces':
      return `skipped: ${faces} faces in the frame, only the person signing up may be in view`;
    case 'face-too-small':
      return 'skipped: face too small, come closer to the camera';
  }
}

/** The state of one sign-up. */
export class SignupCapture {
  /** The name being signed up. */
  readonly name: string;
  /** Whether photos are added to an existing profile. */
  readonly addToExisting: boolean;
  private readonly opts: Required<SignupOptions>;
  private lastCapture = -Infinity;
  private taken = 0;
  /** How many frames were skipped, per reason. */
  readonly skipped: Record<SkipReason, number> = { 'no-face': 0, 'several-faces': 0, 'face-too-small': 0 };

  /**
   * @param name the user's name (trimmed; must be non-empty).
   * @param addToExisting true when the user ticked "add photos to my profile".
   * @throws {InvalidArgumentError} empty name or bad options.
   */
  constructor(name: string, addToExisting: boolean, options: SignupOptions = {}) {
    this.name = name.trim();
    if (!this.name) throw new InvalidArgumentError('type your name first');
    this.addToExisting = addToExisting;
    this.opts = { ...DEFAULT_SIGNUP_OPTIONS, ...options };
    if (!Number.isInteger(this.opts.target) || this.opts.target < 1) {
      throw new InvalidArgumentError(`target must be a positive integer, got ${this.opts.target}`);
    }
  }

  /** Photos still to take. */
  get remaining(): number {
    return this.opts.target - this.taken;
  }

  /** Photos taken so far. */
  get captured(): number {
    return this.taken;
  }

  /** Photos to take in all. */
  get target(): number {
    return this.opts.target;
  }

  /** True once `target` photos are taken. */
  get done(): boolean {
    return this.taken >= this.opts.target;
  }

  /**
   * Judges one frame. On `'capture'`, call {@link SignupCapture.commit} once the frame's embedding is in hand.
   * @param boxes the face boxes found in the frame, `[x, y, w, h]` pixels.
   * @param now time of the frame, milliseconds.
   */
  offer(boxes: readonly (readonly number[])[], now: number): CaptureDecision {
    if (boxes.length === 0) return this.skip('no-face', 0);
    if (boxes.length > 1) return this.skip('several-faces', boxes.length);
    const [, , w, h] = boxes[0];
    if (Math.min(w, h) < this.opts.minFaceSize) return this.skip('face-too-small', 1);
    if (now - this.lastCapture < this.opts.minIntervalMs) return { action: 'wait' };
    return { action: 'capture' };
  }

  /** Records a capture taken at `now` (milliseconds). */
  commit(now: number): void {
    this.taken++;
    this.lastCapture = now;
  }

  private skip(reason: SkipReason, faces: number): CaptureDecision {
    this.skipped[reason]++;
    return { action: 'skip', reason, message: skipMessage(reason, faces) };
  }
}

/**
 * Checks whether a sign-up may start: a name already in the gallery is refused unless the user chose to add photos
 * to that profile (the seed's re-registration after failed recognition).
 * @param name the typed name. @param existing the identities in the gallery. @param addToExisting the tick box.
 * @returns `null` when allowed, else the message to show.
 */
export function signupRefusal(name: string, existing: readonly string[], addToExisting: boolean): string | null {
  const n = name.trim();
  if (!n) return 'type your name first';
  if (existing.includes(n) && !addToExisting) {
    return `"${n}" is already signed up. Tick "add photos to my profile" to add photos to it, or pick another name.`;
  }
  return null;
}
