/**
 * `@eolgul/liveness`: passive liveness (presentation-attack detection) on one frame, and the active head-turn
 * challenge of a camera sign-up.
 *
 * ```ts
 * import { createLivenessClassifier } from '@eolgul/liveness';
 * const liveness = await createLivenessClassifier();
 * const { live, score } = await liveness.classify(frame, face); // face: a detection or its box, frame: RgbImage
 * ```
 * @packageDocumentation
 */
export * from './liveness-classifier.js';
export * from './head-turn-challenge.js';
