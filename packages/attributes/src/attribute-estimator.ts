import {
  type Box,
  checkBox,
  checkRgbImage,
  type ImageRect,
  type ImageTensorSpec,
  imageToTensor,
  InvalidArgumentError,
  ModelLoadError,
  type Point,
  type RgbImage,
  resampleArea,
} from '@eolgul/core';
import { locateModel, type ModelBasePath } from '@eolgul/models';
import { createCallGate, type InferenceModel, type LoadProgress, type ModelSource, loadModel } from '@eolgul/runtime';

/** Head pose in degrees (camera looking at the face). */
export interface HeadPose {
  /** Turn left–right: positive when the face turns toward the image's right (the person's left), 0 facing the camera. */
  yaw: number;
  /** Nod: positive when the face tilts up, as the model reports it (the sign is not validated on labelled data). */
  pitch: number;
  /** In-plane tilt: positive when the head tilts clockwise in the image (the image-right eye lower). */
  roll: number;
}

/** Probability that each eye is open, 0–1 (`left` = the eye on the image's left). */
export interface EyeState {
  left: number;
  right: number;
}

/** What {@link AttributeEstimator.estimate} tells about one face. */
export interface FaceAttributes {
  /** Estimated age, years. */
  age: number;
  /** Estimated gender. */
  gender: 'male' | 'female';
  /** Probability of `gender`, in [0.5, 1]. */
  genderScore: number;
  /** Head pose, degrees. */
  pose: HeadPose;
  /** Eye state; absent when the face has no landmarks (an aligned crop passed alone). */
  eyes?: EyeState;
}

/** Load-time configuration of {@link createAttributeEstimator}. */
export interface AttributeEstimatorConfig {
  /** The models; each defaults to the file bundled in `@eolgul/models`. */
  models?: { ageGender?: ModelSource; headPose?: ModelSource; eyeState?: ModelSource };
  /**
   * Also estimate age and gender on the mirrored crop and average (default true): on the UTKFace dev set it lowers the
   * age error and costs one more run of the 1.7 MB model (`docs/benchmarks/attributes.md`).
   */
  flip?: boolean;
  /** ONNX Runtime intra-op threads per model (default 1). */
  threads?: number;
  /**
   * Folder (path or URL) of the bundled model files, for the models not given in `models` (default: `@eolgul/models`'
   * own folder in Node, `models/` beside the page in a browser; see `locateModel` of `@eolgul/models`).
   */
  modelBasePath?: ModelBasePath;
  /** Called as each model file loads: `{ file, loaded, total }` in bytes. */
  onProgress?: (progress: LoadProgress) => void;
}

/** A face as the detector gives it: its box and 5 landmarks (eyes, nose tip, mouth corners). */
export interface AttributeFace {
  box: Box;
  landmarks?: readonly Point[];
}

/** A loaded attribute estimator. */
export interface AttributeEstimator {
  /**
   * Estimates age, gender, head pose and eye state of one face.
   * @param image the decoded 8-bit RGB image.
   * @param face the detection (`{ box, landmarks }`, pixels). Omitted: the whole image is the face crop (an aligned or
   *   cropped face); eye state is then not estimated.
   * @returns see {@link FaceAttributes}.
   * @throws {InvalidArgumentError} a malformed image, a box that is not 4 finite numbers with positive size overlapping
   *   the image, or landmarks that are not finite points.
   * @throws {ModelDisposedError} after {@link AttributeEstimator.dispose}.
   * @example
   * ```ts
   * const attributes = await createAttributeEstimator();
   * const image = await readImage('Tom_Hanks_0005.jpg'); // LFW, examples/data/gallery
   * const [face] = await detector.detect(image);
   * await attributes.estimate(image, face);
   * // { age: 46.25, gender: 'male', genderScore: 0.96, pose: { yaw: -5.97, pitch: -17.41, roll: -6.09 }, eyes: { left: 1, right: 1 } } (rounded)
   * ```
   */
  estimate(image: RgbImage, face?: AttributeFace): Promise<FaceAttributes>;
  /** Frees the models once running calls have settled. Later calls reject. */
  dispose(): Promise<void>;
}

/** face-api's age and gender net: 112×112 RGB planes, (v − mean) / 255 (face-api `TinyXception`). */
const AGE_GENDER_SIZE = 112;
const AGE_GENDER_INPUT: ImageTensorSpec = {
  layout: 'nchw',
  channels: 'rgb',
  mean: [122.782, 117.001, 104.298],
  scale: 1 / 255,
};
/**
 * face-api's own detector (SSD Mobilenet v1) box, which face-api feeds its age and gender net, relative to eolgul's box
 * of the same face: 1.07× its width and 0.90× its height, same centre (medians over 53 LFW faces).
 */
const FACE_API_BOX = { width: 1.07, height: 0.9 };
/** The pose net (Hopenet-style, 66 bins of 3° from −99°): 224×224 RGB planes with ImageNet mean and std. */
const POSE_SIZE = 224;
const POSE_INPUT: ImageTensorSpec = {
  layout: 'nchw',
  channels: 'rgb',
  mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
  scale: [1 / (0.229 * 255), 1 / (0.224 * 255), 1 / (0.225 * 255)],
};
/**
 * Signs that turn the pose model's yaw and roll into this package's convention ({@link HeadPose}), checked on LFW faces
 * against the nose's offset from the eye midpoint and the eye line's angle (docs/benchmarks/attributes.md).
 */
const YAW_SIGN = -1;
const ROLL_SIGN = 1;
/** The eye net: 24×24 grey / 255; class 1 = open. */
const EYE = 24;
const EYE_INPUT: ImageTensorSpec = { layout: 'nchw', channels: 'grey', scale: 1 / 255 };
/**
 * Side of an eye crop relative to the distance between the two eye centres: the faceplugin code crops 1.6× the eye's
 * corner-to-corner width, and that width is 0.39× the eye-centre distance (median over 118 LFW faces, 68-point model).
 */
const EYE_CROP = 1.6 * 0.39;

/**
 * Creates an estimator of age, gender, head pose and eye state, all run on ONNX Runtime through `@eolgul/runtime`
 * from files bundled in `@eolgul/models`:
 * - age and gender: face-api.js's AgeGenderNet (@vladmandic/face-api@1.7.15, MIT; TinyXception, 112×112), turned into
 *   ONNX at build time, fed as face-api feeds it: the face as face-api's own detector boxes it (eolgul's box 1.07× as
 *   wide and 0.90× as high), padded with black to a square, 112×112; averaged with the mirrored crop;
 * - head pose: `fr_pose.onnx` of faceplugin-face-recognition-js@0.0.1 (MIT; 66 bins of 3° per angle, the expectation
 *   over the softmax), on the box grown by a quarter on each side, 224×224 RGB;
 * - eye state: `fr_eye.onnx` of the same package, a 24×24 grey crop around each eye centre.
 * Accuracy on the UTKFace and LFW dev sets, and what is and is not validated: `docs/benchmarks/attributes.md`.
 * @throws {ModelLoadError} when a model cannot be loaded or does not give the outputs expected.
 * @throws {InvalidArgumentError} when `threads` is out of range.
 */
export async function createAttributeEstimator(config: AttributeEstimatorConfig = {}): Promise<AttributeEstimator> {
  const threads = config.threads ?? 1;
  const flip = config.flip ?? true;
  const loaded: InferenceModel[] = [];
  const load = async (source: ModelSource | undefined, name: 'age-gender' | 'head-pose' | 'eye-state') => {
    const located = source === undefined ? locateModel(name, config.modelBasePath) : undefined;
    const m = await loadModel(source ?? located!.source, {
      backend: 'onnx',
      threads,
      onProgress: config.onProgress,
      sizeHint: located?.sizeHint,
      wasmBase: located?.wasmBase,
    });
    loaded.push(m);
    return m;
  };
  let ageGender: InferenceModel, pose: InferenceModel, eye: InferenceModel;
  try {
    ageGender = await load(config.models?.ageGender, 'age-gender');
    pose = await load(config.models?.headPose, 'head-pose');
    eye = await load(config.models?.eyeState, 'eye-state');
  } catch (err) {
    await Promise.all(loaded.map((m) => m.dispose()));
    throw err;
  }

  const run = async (m: InferenceModel, data: Float32Array, dims: number[]) => {
    const out = await m.run({ [m.inputNames[0]]: { data, dims } });
    return m.outputNames.map((n) => out[n].data);
  };

  /** `rect` resampled to the net's square input (area-averaged when shrinking; edges repeated outside the image). */
  const crop = (image: RgbImage, rect: ImageRect, size: number, flipX = false) =>
    resampleArea(image, rect, size, size, { padding: 'edge', flipX });

  /**
   * The age/gender net's input as face-api.js makes it (`extractFaceTensors`, then `NetInput.toBatchTensor`): the face
   * rectangle padded with black to a square, centred, and resized to 112×112; written as tensor `index` of `out`.
   */
  function ageGenderInput(image: RgbImage, rect: ImageRect, flipX: boolean, out: Float32Array, index: number) {
    const size = AGE_GENDER_SIZE;
    const side = Math.max(rect.w, rect.h);
    const w = Math.max(1, Math.round((size * rect.w) / side)),
      h = Math.max(1, Math.round((size * rect.h) / side));
    const face = resampleArea(image, rect, w, h, { padding: 'zero', flipX });
    const square = new Float32Array(size * size * 3);
    const left = (size - w) >> 1,
      top = (size - h) >> 1;
    for (let j = 0; j < h; j++) square.set(face.subarray(j * w * 3, (j + 1) * w * 3), ((top + j) * size + left) * 3);
    imageToTensor(square, size, size, AGE_GENDER_INPUT, out, index * 3 * size * size);
  }

  async function estimateAgeGender(image: RgbImage, rect: ImageRect) {
    const size = AGE_GENDER_SIZE;
    const views = flip ? [false, true] : [false];
    const input = new Float32Array(views.length * 3 * size * size);
    views.forEach((f, i) => {
      ageGenderInput(image, rect, f, input, i);
    });
    const [age, gender] = await run(ageGender, input, [views.length, 3, size, size]);
    let years = 0,
      male = 0;
    for (let i = 0; i < views.length; i++) {
      years += age[i] / views.length;
      male += gender[i * 2] / views.length;
    }
    return { years, male };
  }

  async function estimatePose(image: RgbImage, rect: ImageRect): Promise<HeadPose> {
    const size = POSE_SIZE;
    const input = imageToTensor(crop(image, rect, size), size, size, POSE_INPUT);
    const outs = await run(pose, input, [1, 3, size, size]);
    if (outs.length !== 3 || outs.some((o) => o.length !== 66))
      throw new ModelLoadError('head-pose', 'the pose model must give 3 outputs of 66 bins (yaw, pitch, roll)');
    const [yaw, pitch, roll] = outs.map((o) => softmax(o).reduce((s, p, i) => s + p * i, 0) * 3 - 99);
    return { yaw: YAW_SIGN * yaw, pitch, roll: ROLL_SIGN * roll };
  }

  async function eyeOpen(image: RgbImage, centre: Point, side: number): Promise<number> {
    const rect = { x: centre.x - side / 2, y: centre.y - side / 2, w: side, h: side };
    const [logits] = await run(eye, imageToTensor(crop(image, rect, EYE), EYE, EYE, EYE_INPUT), [1, 1, EYE, EYE]);
    return softmax(logits)[1];
  }

  async function estimate(image: RgbImage, face?: AttributeFace): Promise<FaceAttributes> {
    checkRgbImage(image);
    if (face !== undefined) checkAttributeFace(face, image);
    const box: Box = face?.box ?? [0, 0, image.width, image.height];
    const [x, y, w, h] = box;
    // A detected face: its box reshaped to face-api's detector box. An aligned crop: the whole image.
    const fw = face ? w * FACE_API_BOX.width : w,
      fh = face ? h * FACE_API_BOX.height : h;
    const { years, male } = await estimateAgeGender(image, { x: x + (w - fw) / 2, y: y + (h - fh) / 2, w: fw, h: fh });
    // The pose crop: the box grown by a quarter of its size on each side, kept inside the image (faceplugin's code).
    let poseRect: ImageRect = { x: 0, y: 0, w: image.width, h: image.height };
    if (face) {
      const x0 = Math.max(0, x - w / 4),
        y0 = Math.max(0, y - h / 4);
      poseRect = {
        x: x0,
        y: y0,
        w: Math.min(image.width, x + w + w / 4) - x0,
        h: Math.min(image.height, y + h + h / 4) - y0,
      };
    }
    const result: FaceAttributes = {
      age: years,
      gender: male >= 0.5 ? 'male' : 'female',
      genderScore: male >= 0.5 ? male : 1 - male,
      pose: await estimatePose(image, poseRect),
    };
    const lm = face?.landmarks;
    if (lm && lm.length >= 2) {
      const [a, b] = lm[0].x <= lm[1].x ? [lm[0], lm[1]] : [lm[1], lm[0]];
      const s = EYE_CROP * Math.hypot(b.x - a.x, b.y - a.y);
      result.eyes = { left: await eyeOpen(image, a, s), right: await eyeOpen(image, b, s) };
    }
    for (const v of [result.age, result.genderScore, result.pose.yaw, result.pose.pitch, result.pose.roll])
      if (!Number.isFinite(v)) throw new InvalidArgumentError('an attribute model returned a non-finite value');
    return result;
  }

  const gate = createCallGate('attribute estimator');
  return {
    estimate: (image, face) => gate.run(() => estimate(image, face)),
    dispose: () => gate.close(async () => void (await Promise.all(loaded.map((m) => m.dispose())))),
  };
}

/**
 * Checks a face: its box (see `checkBox` of `@eolgul/core`) and, when given, its landmarks (at least the two eyes,
 * finite points).
 * @throws {InvalidArgumentError} naming what is wrong.
 */
function checkAttributeFace(face: AttributeFace, image: RgbImage): void {
  checkBox(face?.box, image.width, image.height);
  const lm = face.landmarks;
  if (
    lm !== undefined &&
    (!Array.isArray(lm) || lm.length < 2 || !lm.every((p) => Number.isFinite(p?.x) && Number.isFinite(p?.y)))
  )
    throw new InvalidArgumentError('face landmarks must be the 5 points { x, y } of a detection, finite');
}

/** Softmax of a few logits, in float64. */
function softmax(logits: ArrayLike<number>): number[] {
  const v = Array.from(logits, Number);
  const max = Math.max(...v);
  const e = v.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}
