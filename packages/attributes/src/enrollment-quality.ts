/**
 * The enrollment quality gate: the rules a photo must pass before it is enrolled (one face, big enough, sharp, facing
 * the camera, eyes open, not a near-copy of a photo already taken). The same function decides in the CLI's `enroll`,
 * the front door and the browser sign-up. Pure: it reads measurements, it runs no model.
 * @module
 */
import {
  type Box,
  checkBox,
  checkRgbImage,
  InvalidArgumentError,
  type Point,
  type RgbImage,
  resampleArea,
  squareAroundBox,
} from '@eolgul/core';
import type { FaceAttributes } from './attribute-estimator.js';

/** Why a photo is refused. */
export type QualityReason =
  | 'no-face'
  | 'several-faces'
  | 'face-too-small'
  | 'blurred'
  | 'head-turned'
  | 'eyes-closed'
  | 'near-duplicate';

/** The limits of the gate. Each is documented with where its default comes from. */
export interface QualityRules {
  /** Smallest distance between the two eye centres, pixels. */
  minEyeDistance: number;
  /** Smallest {@link faceSharpness}. */
  minSharpness: number;
  /** Largest |yaw|, degrees. */
  maxYaw: number;
  /** Largest |pitch|, degrees. */
  maxPitch: number;
  /** Largest |roll|, degrees. */
  maxRoll: number;
  /** A photo is refused when both eyes' open probabilities are below this (both eyes look closed). */
  minEyeOpen: number;
  /** Smallest L2 distance between this photo's embedding and each photo already taken for the same enrollment. */
  minDistanceToPrevious: number;
}

/**
 * Default limits, from measurements on the LFW dev set, NUAA webcam frames and blurred copies of LFW faces
 * (`docs/benchmarks/quality.md`, `scripts/bench-quality.mjs`), chosen so that the gate does not lower 1:N rank-1 on LFW.
 */
export const DEFAULT_QUALITY_RULES: Readonly<QualityRules> = Object.freeze({
  /** The embedder's aligned crop puts the eyes 35 px apart: a smaller face is enlarged and has less detail than it uses. */
  minEyeDistance: 32,
  /** Below LFW's 1st percentile (39.5); refuses nearly every face blurred with a Gaussian of σ ≥ 2 px. */
  minSharpness: 30,
  /** LFW's 95th percentile of |yaw| is 27°, of |pitch| 26°. */
  maxYaw: 30,
  maxPitch: 30,
  maxRoll: 30,
  /**
   * The eye model's own decision (open more likely than closed), for both eyes: one eye alone is called closed on
   * about 18 % of LFW faces, mostly wrongly (squints, glasses, shadows), both on a few per cent, nearly all truly shut.
   */
  minEyeOpen: 0.5,
  /**
   * Below LFW's 1st percentile of distances between two different photos of one person (0.52); most pairs of webcam
   * frames of a person holding still are closer.
   */
  minDistanceToPrevious: 0.45,
});

/** One reason a photo was refused, with the measured value and the limit it broke. */
export interface QualityProblem {
  reason: QualityReason;
  /** A sentence for the person taking the photo, e.g. `'the head is turned 41° sideways (at most 30°): face the camera'`. */
  message: string;
  /** The measured value (pixels, degrees, probability, sharpness or L2 distance), when there is one. */
  value?: number;
  /** The limit it broke. */
  limit?: number;
}

/** What the gate is given about one photo. Measurements left out are not checked. */
export interface QualityInput {
  /** How many faces the detector found in the photo. */
  faceCount: number;
  /** The face to enroll (its box and 5 landmarks), when there is exactly one. */
  face?: { box: Box; landmarks?: readonly Point[] };
  /** {@link faceSharpness} of that face. */
  sharpness?: number;
  /** Its attributes (pose, eyes). */
  attributes?: Pick<FaceAttributes, 'pose' | 'eyes'>;
  /** Its embedding, and those of the photos already accepted for this enrollment. */
  embedding?: Float32Array;
  previous?: readonly Float32Array[];
}

const round = (v: number, d = 0) => Number(v.toFixed(d));

/**
 * Applies the quality gate to one photo.
 * @param input the measurements (see {@link QualityInput}).
 * @param rules the limits (default {@link DEFAULT_QUALITY_RULES}); a partial object overrides single limits.
 * @returns every problem found, in the order of {@link QualityReason}; empty when the photo may be enrolled.
 * @throws {InvalidArgumentError} a limit that is not a finite number, or embeddings of different lengths.
 * @example
 * ```ts
 * checkEnrollmentQuality({ faceCount: 1, face, sharpness: 45, attributes: { pose: { yaw: 41, pitch: 2, roll: 0 } } });
 * // [{ reason: 'head-turned', message: 'the head is turned 41° sideways (at most 30°): face the camera', value: 41, limit: 30 }]
 * ```
 */
export function checkEnrollmentQuality(input: QualityInput, rules: Partial<QualityRules> = {}): QualityProblem[] {
  const r = { ...DEFAULT_QUALITY_RULES, ...rules };
  for (const [k, v] of Object.entries(r))
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new InvalidArgumentError(`quality rule ${k} must be a finite number, got ${String(v)}`);
  const problems: QualityProblem[] = [];
  if (input.faceCount === 0) return [{ reason: 'no-face', message: 'no face was found' }];
  if (input.faceCount > 1)
    problems.push({
      reason: 'several-faces',
      message: `${input.faceCount} faces were found; one person at a time`,
      value: input.faceCount,
      limit: 1,
    });
  const lm = input.face?.landmarks;
  if (lm && lm.length >= 2) {
    const d = Math.hypot(lm[1].x - lm[0].x, lm[1].y - lm[0].y);
    if (d < r.minEyeDistance)
      problems.push({
        reason: 'face-too-small',
        message: `the face is too small (eyes ${round(d)} px apart, at least ${r.minEyeDistance}): come closer`,
        value: d,
        limit: r.minEyeDistance,
      });
  }
  if (input.sharpness !== undefined && input.sharpness < r.minSharpness)
    problems.push({
      reason: 'blurred',
      message: `the face is blurred (sharpness ${round(input.sharpness, 1)}, at least ${r.minSharpness}): hold still`,
      value: input.sharpness,
      limit: r.minSharpness,
    });
  const pose = input.attributes?.pose;
  if (pose) {
    const turned = (
      [
        ['yaw', 'sideways', r.maxYaw],
        ['pitch', 'up or down', r.maxPitch],
        ['roll', 'tilted', r.maxRoll],
      ] as const
    ).filter(([k, , max]) => Math.abs(pose[k]) > max);
    for (const [k, how, max] of turned)
      problems.push({
        reason: 'head-turned',
        message: `the head is turned ${round(Math.abs(pose[k]))}° ${how} (at most ${max}°): face the camera`,
        value: pose[k],
        limit: max,
      });
  }
  const eyes = input.attributes?.eyes;
  if (eyes && Math.max(eyes.left, eyes.right) < r.minEyeOpen)
    problems.push({
      reason: 'eyes-closed',
      message: 'the eyes look closed: open them and look at the camera',
      value: Math.max(eyes.left, eyes.right),
      limit: r.minEyeOpen,
    });
  if (input.embedding && input.previous?.length) {
    let nearest = Infinity;
    for (const p of input.previous) {
      if (p.length !== input.embedding.length)
        throw new InvalidArgumentError(
          `embeddings of ${p.length} and ${input.embedding.length} values cannot be compared`,
        );
      let s = 0;
      for (let i = 0; i < p.length; i++) s += (p[i] - input.embedding[i]) ** 2;
      nearest = Math.min(nearest, Math.sqrt(s));
    }
    if (nearest < r.minDistanceToPrevious)
      problems.push({
        reason: 'near-duplicate',
        message: `this photo is almost the same as one already taken (distance ${round(nearest, 2)}, at least ${r.minDistanceToPrevious}): move a little`,
        value: nearest,
        limit: r.minDistanceToPrevious,
      });
  }
  return problems;
}

/** Side of the square the sharpness is measured on, pixels (the embedder's input size). */
const SHARPNESS_SIZE = 112;

/**
 * Sharpness of a face: the variance of the 4-neighbour Laplacian of its grey square (the box's longer side, centred)
 * resampled to 112×112 (area-averaged when shrinking), so that it does not depend on the photo's resolution. Motion
 * blur and out-of-focus faces score low; the default limit and the values of sharp and blurred LFW faces are in
 * `docs/benchmarks/quality.md`.
 * @param image the decoded 8-bit RGB image.
 * @param face the face's box (and landmarks, unused).
 * @throws {InvalidArgumentError} a malformed image or box.
 */
export function faceSharpness(image: RgbImage, face: { box: Box }): number {
  checkRgbImage(image);
  checkBox(face?.box, image.width, image.height);
  const n = SHARPNESS_SIZE;
  const rgb = resampleArea(image, squareAroundBox(face.box, 1), n, n, { padding: 'edge' });
  const g = new Float32Array(n * n);
  for (let p = 0; p < n * n; p++) g[p] = 0.299 * rgb[p * 3] + 0.587 * rgb[p * 3 + 1] + 0.114 * rgb[p * 3 + 2];
  let sum = 0,
    sq = 0,
    count = 0;
  for (let j = 1; j < n - 1; j++)
    for (let i = 1; i < n - 1; i++) {
      const p = j * n + i;
      const l = g[p - 1] + g[p + 1] + g[p - n] + g[p + n] - 4 * g[p];
      sum += l;
      sq += l * l;
      count++;
    }
  const mean = sum / count;
  return sq / count - mean * mean;
}
