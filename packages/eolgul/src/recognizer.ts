/**
 * `createRecognizer`: the front door's one implementation, over a platform (Node or browser) that says how inputs are
 * decoded, where model files are, how a named gallery is opened and how images are analysed.
 * @module
 */
import {
  GalleryMismatchError,
  InvalidArgumentError,
  EnrollmentQualityError,
  MultipleFacesError,
  NoFaceError,
  PresentationAttackError,
  euclideanDistance,
} from '@eolgul/core';
import { Gallery, type GalleryStore } from '@eolgul/gallery';
import { checkEnrollmentQuality } from '@eolgul/attributes';
import { LIVENESS_THRESHOLD } from '@eolgul/liveness';
import { createCallGate } from '@eolgul/runtime';
import { describeInput } from './image-input.js';
import type { Analyser } from './recognizer-analyser.js';
import { checkThreshold, resolveConfig, type ResolvedConfig } from './recognizer-config.js';
import type { PipelineInfo } from './recognizer-pipeline.js';
import type {
  AnalyseOptions,
  AnalysisResult,
  DetectedFace,
  DetectionResult,
  DetectOptions,
  EnrollResult,
  FaceRecognizer,
  FaceRecognizerConfig,
  ImageInput,
  RecognizedFace,
  RecognizerSession,
  VerifiedFace,
} from './recognizer-types.js';

/** What differs between Node and the browser. */
export interface RecognizerPlatform {
  /** Loads the models (in this thread or in worker threads). */
  createAnalyser(config: ResolvedConfig): Promise<Analyser>;
  /** Opens (creating when missing) the platform's durable gallery named `name`. */
  openGallery(name: string, info: PipelineInfo, defaultThreshold: number): Promise<GalleryStore>;
  /** The default image id of an enrolled input (Node: a path's file name), or undefined. */
  imageIdOf(input: ImageInput): string | undefined;
}

const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks the `faces` option of `analyse`: the box, score and 5 landmarks of each, as `detect` gives them; only those
 * fields cross to a worker thread.
 * @throws {InvalidArgumentError} not an array, or a face without a finite box or 5 finite landmarks (names it).
 */
function checkFaces(faces: unknown): DetectedFace[] {
  if (!Array.isArray(faces)) throw new InvalidArgumentError('faces must be an array of faces from detect');
  return faces.map((f: DetectedFace, i) => {
    const box = f?.box;
    if (!(Array.isArray(box) && box.length === 4 && box.every(finite) && box[2] > 0 && box[3] > 0)) {
      throw new InvalidArgumentError(`faces[${i}].box must be [x, y, width, height] in pixels, got ${String(box)}`);
    }
    const points = f.landmarks;
    if (!(Array.isArray(points) && points.length === 5 && points.every((p) => finite(p?.x) && finite(p?.y)))) {
      throw new InvalidArgumentError(`faces[${i}].landmarks must be the 5 points { x, y } that detect gives`);
    }
    return { box: [...box], score: finite(f.score) ? f.score : 1, landmarks: points.map(({ x, y }) => ({ x, y })) };
  });
}

/**
 * Creates a face recognizer on `platform`: validates `config`, loads the models once, opens the gallery.
 * @throws {InvalidArgumentError} a bad configuration. @throws {ModelLoadError} a model cannot be loaded.
 * @throws {GalleryMismatchError} the gallery holds embeddings of another model, size or alignment.
 */
export async function createRecognizer(
  platform: RecognizerPlatform,
  userConfig: FaceRecognizerConfig = {},
): Promise<FaceRecognizer> {
  const config = resolveConfig(userConfig);
  const analyser = await platform.createAnalyser(config);
  const info = analyser.info;
  let gallery: GalleryStore;
  const ownsGallery = typeof config.gallery !== 'object';
  try {
    const defaultThreshold = config.threshold ?? info.threshold;
    if (typeof config.gallery === 'string') {
      gallery = await platform.openGallery(config.gallery, info, defaultThreshold);
    } else if (config.gallery) {
      gallery = config.gallery;
      if (gallery.dimension !== info.dimension)
        throw new GalleryMismatchError('dimension', gallery.dimension, info.dimension);
      if (gallery.modelId !== info.modelId && gallery.modelId !== 'unspecified')
        throw new GalleryMismatchError('modelId', gallery.modelId, info.modelId);
    } else {
      gallery = Gallery.inMemory({ dimension: info.dimension, modelId: info.modelId, defaultThreshold });
    }
  } catch (err) {
    await analyser.dispose();
    throw err;
  }
  const threshold = config.threshold ?? gallery.defaultThreshold;
  const gate = createCallGate('face recognizer');

  /** A list of identity names: a string (which would spread into letters) or a non-iterable is refused. */
  function nameList(value: unknown, what: string): string[] {
    if (typeof value === 'string' || value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
      throw new InvalidArgumentError(`${what} must be a list of identity names, got ${JSON.stringify(value)}`);
    }
    return [...(value as Iterable<string>)];
  }

  async function matchOf(embedding: Float32Array, exclude: Iterable<string> | undefined) {
    if ((await gallery.count()) === 0) return null;
    const [match] = await gallery.identify(embedding, { threshold, exclude });
    return match ?? null;
  }

  async function analyse(input: ImageInput, options: AnalyseOptions = {}): Promise<AnalysisResult> {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError(`analyse options must be an object, got ${String(options)}`);
    }
    const { exclude, maxFaces, minScore, mainFace } = options;
    const exclusions = exclude === undefined ? undefined : nameList(exclude, 'exclude');
    const image = await analyser.analyse(input, describeInput(input), {
      maxFaces,
      minScore,
      mainFace: mainFace ? 'only' : undefined,
      faces: options.faces === undefined ? undefined : checkFaces(options.faces),
    });
    const faces: RecognizedFace[] = [];
    for (const face of image.faces) {
      const embedding = face.embedding!;
      faces.push({ ...face, embedding, match: await matchOf(embedding, exclusions) });
    }
    return { width: image.width, height: image.height, faces };
  }

  async function detect(input: ImageInput, options: DetectOptions = {}): Promise<DetectionResult> {
    const { maxFaces, minScore } = options;
    const image = await analyser.analyse(input, describeInput(input), { maxFaces, minScore, detectOnly: true });
    const faces = image.faces.map(({ box, score, landmarks }) => ({ box, score, landmarks }));
    return { width: image.width, height: image.height, faces };
  }

  function sessionOf(): RecognizerSession {
    const rejected: string[] = [];
    const withRejected = (options: AnalyseOptions = {}): AnalyseOptions => ({
      ...options,
      exclude: [...(options.exclude === undefined ? [] : nameList(options.exclude, 'exclude')), ...rejected],
    });
    return {
      reject(identity) {
        if (typeof identity !== 'string' || identity.length === 0) {
          throw new InvalidArgumentError(`reject takes an identity name, got ${JSON.stringify(identity)}`);
        }
        if (!rejected.includes(identity)) rejected.push(identity);
      },
      rejected: () => rejected.slice(),
      analyse: (input, options) => gate.run(() => analyse(input, withRejected(options))),
      identify: (input, options) => gate.run(async () => (await analyse(input, withRejected(options))).faces),
    };
  }

  async function enroll(identity: string, inputs: readonly ImageInput[], imageIds?: readonly string[]) {
    if (typeof identity !== 'string')
      throw new InvalidArgumentError(`identity must be a string, got ${typeof identity}`);
    // Names are data, compared as Unicode NFC without outer white space, so "José" typed two ways is one person.
    const name = identity.normalize('NFC').trim();
    if (!/[^\s\u200b-\u200d\u2060\ufeff]/u.test(name)) throw new InvalidArgumentError('the identity name is blank');
    if (!Array.isArray(inputs) || inputs.length === 0) {
      throw new InvalidArgumentError('enroll needs a non-empty array of images');
    }
    if (imageIds !== undefined && (!Array.isArray(imageIds) || imageIds.length !== inputs.length)) {
      throw new InvalidArgumentError(`enroll: ${inputs.length} images but imageIds has ${imageIds?.length} entries`);
    }
    const stamp = Date.now().toString(36);
    const ids = inputs.map((input, i) => imageIds?.[i] ?? platform.imageIdOf(input) ?? `${name}#${stamp}-${i}`);
    const embeddings: Float32Array[] = [];
    // One after another: the first refused image stops the batch before the others are analysed.
    for (let i = 0; i < inputs.length; i++) {
      const label = describeInput(inputs[i], inputs.length > 1 ? i : undefined);
      const { faces } = await analyser.analyse(inputs[i], label, {});
      if (faces.length === 0) throw new NoFaceError(label);
      if (faces.length > 1) throw new MultipleFacesError(label, faces.length);
      const face = faces[0];
      // A printed photo is named as such before its quality is judged.
      if (face.liveness && !face.liveness.live)
        throw new PresentationAttackError(label, face.liveness.score, LIVENESS_THRESHOLD);
      if (config.quality) {
        const problems = checkEnrollmentQuality(
          {
            faceCount: 1,
            face,
            sharpness: face.sharpness,
            attributes: face.attributes,
            embedding: face.embedding,
            previous: embeddings,
          },
          config.quality,
        );
        if (problems.length) throw new EnrollmentQualityError(label, problems);
      }
      embeddings.push(face.embedding!);
    }
    await gallery.enroll(name, embeddings, ids);
    return { identity: name, imageIds: ids } satisfies EnrollResult;
  }

  /** The face `index` of `input` (default: its main face), with what verify reports about it. */
  async function verifiedFace(input: ImageInput, index: number | undefined, which: 'faceA' | 'faceB') {
    const name = describeInput(input);
    if (index !== undefined && !(Number.isInteger(index) && index >= 0)) {
      throw new InvalidArgumentError(`${which} must be a face index (an integer >= 0), got ${String(index)}`);
    }
    // Every face, and the main one as `mainFace` picks it (detected again at a low score when the first pass finds none).
    const { faces, main } = await analyser.analyse(input, name, { mainFace: 'find' });
    if (faces.length === 0) throw new NoFaceError(name);
    if (index !== undefined && index >= faces.length) {
      throw new InvalidArgumentError(`${which} is ${index}, but ${name} has ${faces.length} face(s) (0-based index)`);
    }
    const chosen = index ?? main;
    const face = faces[chosen];
    const report: VerifiedFace = { index: chosen, box: face.box, faces: faces.length };
    return { embedding: face.embedding!, report };
  }

  const recognizer: FaceRecognizer = {
    get gallery() {
      return gallery;
    },
    dimension: info.dimension,
    modelId: info.modelId,
    preprocess: info.preprocess,
    threshold,
    analyse: (input, options) => gate.run(() => analyse(input, options)),
    detect: (input, options) => gate.run(() => detect(input, options)),
    identify: (input, options) => gate.run(async () => (await analyse(input, options)).faces),
    enroll: (identity, inputs, options = {}) => gate.run(() => enroll(identity, inputs, options.imageIds)),
    verify: (a, b, options = {}) =>
      gate.run(async () => {
        const fa = await verifiedFace(a, options.faceA, 'faceA');
        const fb = await verifiedFace(b, options.faceB, 'faceB');
        const distance = euclideanDistance(fa.embedding, fb.embedding);
        return { distance, same: distance <= threshold, threshold, faceA: fa.report, faceB: fb.report };
      }),
    session: sessionOf,
    dispose: () =>
      gate.close(async () => {
        await analyser.dispose();
        if (ownsGallery) await gallery.close();
      }),
  };
  return recognizer;
}

export { checkThreshold };
