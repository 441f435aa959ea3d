import * as path from 'node:path';
import { GalleryMismatchError } from '@eolgul/core';

/** The CLI's face detectors (`--detector`). */
export type DetectorName = 'fr_detect' | 'mtcnn';
/** Where the 5 alignment points come from (`--refine`): MTCNN's ONet, the 68-point model, MediaPipe FaceMesh. */
export type RefineMode = 'onet' | 'none' | 'mesh';

/** One way of placing the 5 alignment points, as the CLI's flags choose it. */
export interface Alignment {
  readonly detector: DetectorName;
  /** The `--refine` values that give these points (with MTCNN, `onet` and `none` both mean its own ONet points). */
  readonly refine: readonly RefineMode[];
  /** Name recorded in a gallery's `preprocess` after ", 5 points ". */
  readonly points: string;
  /** The flags that choose it, for messages. */
  readonly flags: string;
  /** Whether these are the defaults (no flag needed). */
  readonly isDefault?: boolean;
  /** What places the points, for `lfw eval`'s report. */
  readonly landmarks: string;
}

/** Every alignment the CLI can make: the one table behind galleries' `preprocess`, messages and reports. */
const ALIGNMENTS: readonly Alignment[] = Object.freeze([
  {
    detector: 'fr_detect',
    refine: ['onet'],
    points: 'fr_detect+onet',
    flags: '--detector fr_detect --refine onet',
    isDefault: true,
    landmarks: "MTCNN's ONet (--refine onet)",
  },
  {
    detector: 'fr_detect',
    refine: ['none'],
    points: 'fr_detect+68',
    flags: '--refine none',
    landmarks: '68-point model (--refine none)',
  },
  {
    detector: 'fr_detect',
    refine: ['mesh'],
    points: 'fr_detect+mesh',
    flags: '--refine mesh',
    landmarks: 'FaceMesh (--refine mesh)',
  },
  {
    detector: 'mtcnn',
    refine: ['onet', 'none'],
    points: 'mtcnn',
    flags: '--detector mtcnn',
    landmarks: "MTCNN's 5 points",
  },
  {
    detector: 'mtcnn',
    refine: ['mesh'],
    points: 'mtcnn+mesh',
    flags: '--detector mtcnn --refine mesh',
    landmarks: 'FaceMesh (--refine mesh)',
  },
]);

/**
 * The front door's names for the CLI's flags: `--detector fr_detect` is `detector: 'rfb320'` (fr_detect.onnx is its
 * model file), `--refine none` is `landmarks: 'landmarks68'`.
 */
export function recognizerChoice(detector: DetectorName, refine: RefineMode) {
  return {
    detector: detector === 'mtcnn' ? ('mtcnn' as const) : ('rfb320' as const),
    landmarks: refine === 'none' ? ('landmarks68' as const) : refine,
  };
}

/** The alignment that `--detector` and `--refine` choose. */
export function alignmentOf(detector: DetectorName, refine: RefineMode): Alignment {
  const a = ALIGNMENTS.find((x) => x.detector === detector && x.refine.includes(refine));
  if (!a) throw new Error(`no alignment for --detector ${detector} --refine ${refine}`);
  return a;
}

/** The alignment's flags for messages, e.g. `--refine none` or `--detector fr_detect --refine onet, the defaults`. */
const describeFlags = (a: Alignment): string => (a.isDefault ? `${a.flags}, the defaults` : a.flags);

const POINTS_MARK = ', 5 points ';

/**
 * A gallery manifest's `preprocess` for these points: the embedder's pixel preprocessing, then where the 5 alignment
 * points come from, e.g. `"arcface, 5 points fr_detect+onet"` (the front door writes it as `recognizer.preprocess`;
 * the CLI reads it back into flags).
 */
const galleryPreprocess = (pixels: string, a: Alignment): string => `${pixels}${POINTS_MARK}${a.points}`;

/** The alignment a gallery's `preprocess` records, or undefined (none recorded, or points the CLI does not make). */
function recordedAlignment(preprocess: string): Alignment | undefined {
  const i = preprocess.indexOf(POINTS_MARK);
  const points = i < 0 ? undefined : preprocess.slice(i + POINTS_MARK.length);
  return ALIGNMENTS.find((a) => a.points === points);
}

/** The CLI flags that give the points recorded in `preprocess`, for messages. */
export function pointsFlags(preprocess: string): string {
  const i = preprocess.indexOf(POINTS_MARK);
  if (i < 0) return `preprocess ${JSON.stringify(preprocess)}`;
  const a = recordedAlignment(preprocess);
  return a
    ? describeFlags(a)
    : `points ${JSON.stringify(preprocess.slice(i + POINTS_MARK.length))}, not one of the CLI's`;
}

/**
 * The GALLERY_MISMATCH of a gallery aligned with other points than this run's, with what to do: the flags that match
 * the gallery, or, for a gallery enrolled before the CLI recorded its points (preprocess without ", 5 points"), how to
 * rebuild or label it.
 * @param dir the gallery folder. @param stored its `preprocess`. @param wanted this run's (`recognizer.preprocess`).
 */
export function pointsMismatch(
  dir: string,
  stored: string,
  wanted: string,
  command: 'enroll' | 'identify' | 'watch',
): GalleryMismatchError {
  const err = new GalleryMismatchError('preprocess', stored, wanted);
  const pixels = wanted.slice(0, wanted.indexOf(POINTS_MARK));
  const why = "one face's embedding moves between alignments, and the threshold was calibrated for one of them";
  if (stored === pixels) {
    const legacy = alignmentOf('fr_detect', 'none');
    err.message =
      `gallery ${dir} was enrolled before eolgul recorded its alignment points in the gallery (preprocess ${JSON.stringify(stored)}): ` +
      `its faces may have the points of that version's default (${legacy.flags}), of --refine mesh or of --detector mtcnn, and this run uses ${pointsFlags(wanted)}; ${why}. ` +
      `Enroll the images again into a new gallery (eolgul enroll --gallery <new dir> ...). If you know it was enrolled with that version's default, ` +
      `set "preprocess" to ${JSON.stringify(galleryPreprocess(pixels, legacy))} in ${path.join(dir, 'manifest.json')} and run ${command} with ${legacy.flags}.`;
  } else {
    const match = stored.startsWith(pixels + POINTS_MARK) ? recordedAlignment(stored) : undefined;
    const fix = match ? `Run ${command} with ${match.flags}, or ` : '';
    const storedDesc = stored.includes(POINTS_MARK)
      ? `${pointsFlags(stored)} (preprocess ${JSON.stringify(stored)})`
      : `preprocess ${JSON.stringify(stored)}`;
    err.message =
      `gallery ${dir} was enrolled with ${storedDesc}, this run uses ${pointsFlags(wanted)} (${JSON.stringify(wanted)}); ${why}. ` +
      `${fix}${fix ? 'enroll' : 'Enroll'} the images ${command === 'enroll' ? 'into another gallery' : 'again into a new gallery'} with this run's flags.`;
  }
  return err;
}
