/**
 * Checks a `FaceRecognizerConfig` and fills in its defaults, so a typo or a wrong value is a typed error at creation,
 * not a silent default.
 * @module
 */
import { DEFAULT_QUALITY_RULES, type QualityRules } from '@eolgul/attributes';
import { InvalidArgumentError } from '@eolgul/core';
import type { GalleryStore } from '@eolgul/gallery';
import type {
  DetectorName,
  EmbedderPrecision,
  EmotionChoice,
  FaceRecognizerConfig,
  LandmarksName,
  ModelLoadProgress,
} from './recognizer-types.js';

/** A configuration with every choice made. */
export interface ResolvedConfig {
  modelBasePath?: string | URL;
  gallery?: string | GalleryStore;
  detector: DetectorName;
  landmarks: LandmarksName;
  precision: EmbedderPrecision;
  emotion: EmotionChoice | false;
  liveness: boolean;
  attributes: boolean;
  /** The quality gate's limits for `enroll`, or false (no gate). */
  quality: QualityRules | false;
  threshold?: number;
  threads: number;
  workers: number;
  onProgress?: (progress: ModelLoadProgress) => void;
}

const KEYS: readonly (keyof FaceRecognizerConfig)[] = [
  'modelBasePath',
  'gallery',
  'detector',
  'landmarks',
  'precision',
  'emotion',
  'liveness',
  'attributes',
  'quality',
  'threshold',
  'threads',
  'workers',
  'onProgress',
];

const EMOTIONS: readonly EmotionChoice[] = ['fast', 'accurate'];

/** Largest `workers` accepted: more threads than this only multiply the models' memory. */
export const MAX_WORKERS = 64;

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function oneOf<T extends string>(what: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    throw new InvalidArgumentError(`${what} must be ${choices.map((c) => `'${c}'`).join(' or ')}, got ${show(value)}`);
  }
  return value as T;
}

function integer(what: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
    throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

function flag(what: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${what} must be true or false, got ${show(value)}`);
  return value;
}

/** `quality`: false / undefined (no gate), true (the default limits) or some limits over the defaults. */
function qualityRules(value: unknown): QualityRules | false {
  if (value === undefined || value === false) return false;
  if (value === true) return { ...DEFAULT_QUALITY_RULES };
  if (value === null || typeof value !== 'object')
    throw new InvalidArgumentError(`quality must be true, false or an object of limits, got ${show(value)}`);
  const rules: QualityRules = { ...DEFAULT_QUALITY_RULES };
  for (const [k, v] of Object.entries(value)) {
    if (!(k in DEFAULT_QUALITY_RULES))
      throw new InvalidArgumentError(
        `unknown quality limit ${JSON.stringify(k)} (limits: ${Object.keys(DEFAULT_QUALITY_RULES).join(', ')})`,
      );
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new InvalidArgumentError(`quality limit ${k} must be a finite number >= 0, got ${show(v)}`);
    rules[k as keyof QualityRules] = v;
  }
  return rules;
}

/**
 * Checks an L2 threshold.
 * @throws {InvalidArgumentError} not a finite number ≥ 0.
 */
export function checkThreshold(value: unknown): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(`threshold must be a finite L2 distance >= 0, got ${show(value)}`);
  }
  return value;
}

/**
 * Validates `config` and applies the defaults.
 * @throws {InvalidArgumentError} an unknown field, or a value out of its range (the message names both).
 */
export function resolveConfig(config: FaceRecognizerConfig = {}): ResolvedConfig {
  if (config === null || typeof config !== 'object') {
    throw new InvalidArgumentError(`the configuration must be an object, got ${show(config)}`);
  }
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key as keyof FaceRecognizerConfig)) {
      const near = KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
      throw new InvalidArgumentError(
        `unknown option ${JSON.stringify(key)}${near ? `; did you mean ${near}?` : ''} (options: ${KEYS.join(', ')})`,
      );
    }
  }
  const { modelBasePath, gallery, onProgress } = config;
  if (modelBasePath !== undefined && typeof modelBasePath !== 'string' && !(modelBasePath instanceof URL)) {
    throw new InvalidArgumentError(`modelBasePath must be a string or a URL, got ${show(modelBasePath)}`);
  }
  if (modelBasePath === '') throw new InvalidArgumentError('modelBasePath is empty');
  if (gallery !== undefined && typeof gallery !== 'string' && !isGalleryStore(gallery)) {
    throw new InvalidArgumentError('gallery must be a string (a durable gallery) or a GalleryStore');
  }
  if (gallery === '') throw new InvalidArgumentError('gallery is an empty string');
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidArgumentError(`onProgress must be a function, got ${show(onProgress)}`);
  }
  const emotion = config.emotion === true ? 'accurate' : config.emotion === false ? false : config.emotion;
  return {
    modelBasePath,
    gallery,
    detector: oneOf('detector', config.detector, ['rfb320', 'mtcnn'] as const, 'rfb320'),
    landmarks: oneOf('landmarks', config.landmarks, ['onet', 'landmarks68', 'mesh'] as const, 'onet'),
    precision: oneOf('precision', config.precision, ['fp32', 'int8'] as const, 'fp32'),
    emotion: emotion === undefined || emotion === false ? false : oneOf('emotion', emotion, EMOTIONS, 'accurate'),
    liveness: flag('liveness', config.liveness),
    attributes: flag('attributes', config.attributes),
    quality: qualityRules(config.quality),
    threshold: config.threshold === undefined ? undefined : checkThreshold(config.threshold),
    threads: integer('threads', config.threads, 0, 1024, 1),
    workers: integer('workers', config.workers, 0, MAX_WORKERS, 0),
    onProgress,
  };
}

function isGalleryStore(x: unknown): x is GalleryStore {
  const g = x as GalleryStore;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof g.identify === 'function' &&
    typeof g.enroll === 'function' &&
    typeof g.dimension === 'number'
  );
}
