/**
 * The active liveness challenge of a camera sign-up: the person turns their head to one side, then to the other,
 * within a time limit, measured frame by frame with head pose (yaw). A printed photo or a still picture on a screen
 * keeps one yaw and cannot pass. Pure logic: it is fed each frame's measurements and runs no model.
 * @module
 */
import { euclideanDistance, InvalidArgumentError } from '@eolgul/core';

/** Limits of the challenge. */
export interface HeadTurnChallengeOptions {
  /** |yaw| at or below which the face counts as facing the camera, to start (degrees, default 12). */
  frontalYaw?: number;
  /** |yaw| at or above which the head counts as turned (degrees, default 20). */
  turnYaw?: number;
  /** Time allowed from the first frontal frame to the second turn (ms, default 8000). */
  timeoutMs?: number;
  /** Largest L2 distance between the embeddings of the start frame and each turned frame: the same person throughout (default 1.1, the embedder's threshold). */
  maxIdentityDistance?: number;
}

/**
 * Defaults of {@link HeadTurnChallengeOptions}. The yaw limits sit around the spread of people facing a camera: on LFW
 * photos |yaw| is below 9° for half and below 24° for 95 % (`docs/benchmarks/attributes.md`), so 12° reads as "looking
 * ahead" and 20° to each side as a deliberate turn. The 8 s limit is a choice (a turn each way takes a few seconds),
 * not a measurement.
 */
export const DEFAULT_HEAD_TURN_OPTIONS: Readonly<Required<HeadTurnChallengeOptions>> = Object.freeze({
  frontalYaw: 12,
  turnYaw: 20,
  timeoutMs: 8000,
  maxIdentityDistance: 1.1,
});

/** What one frame tells the challenge. */
export interface ChallengeFrame {
  /** Time of the frame, ms (e.g. `performance.now()`), increasing. */
  time: number;
  /** Number of faces found in the frame. */
  faceCount: number;
  /** Yaw of the face, degrees (as `@eolgul/attributes` gives it: positive = turned toward the image's right). */
  yaw?: number;
  /** The face's embedding, to check it stays the same person. */
  embedding?: Float32Array;
}

/** Where the challenge stands. */
export type ChallengeState = 'waiting' | 'first-turn' | 'second-turn' | 'passed' | 'failed';

/** The challenge's answer to a frame. */
export interface ChallengeStatus {
  state: ChallengeState;
  /** What to tell the person now. */
  prompt: string;
  /** Side of the first turn once made: `1` toward the image's right, `-1` toward its left. */
  firstSide?: 1 | -1;
  /** For `'failed'`: why. */
  reason?: 'timeout' | 'several-faces' | 'another-person';
  /** ms from the first frontal frame to now (or to the end). */
  elapsedMs: number;
}

/** A head-turn challenge in progress; feed it every analysed frame. */
export interface HeadTurnChallenge {
  /** Takes one frame's measurements and returns the new status (a finished challenge keeps its result). */
  update(frame: ChallengeFrame): ChallengeStatus;
  /** The current status. */
  readonly status: ChallengeStatus;
}

/**
 * Starts a head-turn challenge: wait for one face facing the camera, then a turn to either side (|yaw| ≥ `turnYaw`),
 * then a turn to the other side, all within `timeoutMs` of the frontal frame, with the same person throughout. Frames
 * without a face are skipped (a turned head can lose the detector for a moment); a second face fails the challenge.
 * @param options see {@link HeadTurnChallengeOptions}.
 * @throws {InvalidArgumentError} an option that is not a positive finite number, or `frontalYaw` ≥ `turnYaw`.
 * @example
 * ```ts
 * const challenge = createHeadTurnChallenge();
 * for each frame: const s = challenge.update({ time: performance.now(), faceCount: faces.length, yaw, embedding });
 * // s.state: 'waiting' → 'first-turn' → 'second-turn' → 'passed' (or 'failed' with s.reason)
 * ```
 */
export function createHeadTurnChallenge(options: HeadTurnChallengeOptions = {}): HeadTurnChallenge {
  const o = { ...DEFAULT_HEAD_TURN_OPTIONS, ...options };
  for (const [k, v] of Object.entries(o))
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
      throw new InvalidArgumentError(`head-turn challenge option ${k} must be a positive number, got ${String(v)}`);
  if (o.frontalYaw >= o.turnYaw)
    throw new InvalidArgumentError(`frontalYaw (${o.frontalYaw}) must be below turnYaw (${o.turnYaw})`);
  let status: ChallengeStatus = { state: 'waiting', prompt: 'Look straight at the camera', elapsedMs: 0 };
  let start: number | undefined;
  let reference: Float32Array | undefined;
  const fail = (reason: ChallengeStatus['reason'], elapsedMs: number, prompt: string): ChallengeStatus => ({
    ...status,
    state: 'failed',
    reason,
    elapsedMs,
    prompt,
  });
  return {
    get status() {
      return status;
    },
    update(frame) {
      if (status.state === 'passed' || status.state === 'failed') return status;
      if (!frame || !Number.isFinite(frame.time) || !Number.isInteger(frame.faceCount) || frame.faceCount < 0)
        throw new InvalidArgumentError('a challenge frame needs a finite time and a face count');
      const elapsed = start === undefined ? 0 : frame.time - start;
      if (start !== undefined && elapsed > o.timeoutMs) {
        status = fail('timeout', elapsed, 'Too slow, or the head did not turn: try again');
        return status;
      }
      if (frame.faceCount > 1) {
        status = fail('several-faces', elapsed, 'Only one person in front of the camera, please');
        return status;
      }
      const yaw = frame.yaw;
      if (frame.faceCount === 0 || yaw === undefined || !Number.isFinite(yaw)) return status;
      if (reference && frame.embedding && euclideanDistance(reference, frame.embedding) > o.maxIdentityDistance) {
        status = fail('another-person', elapsed, 'Someone else came in: try again');
        return status;
      }
      const side = yaw > 0 ? 1 : -1;
      if (status.state === 'waiting') {
        if (Math.abs(yaw) <= o.frontalYaw) {
          start = frame.time;
          reference = frame.embedding;
          status = { state: 'first-turn', prompt: 'Slowly turn your head to one side', elapsedMs: 0 };
        }
      } else if (status.state === 'first-turn') {
        status = { ...status, elapsedMs: elapsed };
        if (Math.abs(yaw) >= o.turnYaw)
          status = { state: 'second-turn', firstSide: side, prompt: 'Now turn to the other side', elapsedMs: elapsed };
      } else if (status.state === 'second-turn') {
        status = { ...status, elapsedMs: elapsed };
        if (Math.abs(yaw) >= o.turnYaw && side !== status.firstSide)
          status = { state: 'passed', firstSide: status.firstSide, prompt: 'Done', elapsedMs: elapsed };
      }
      return status;
    },
  };
}
