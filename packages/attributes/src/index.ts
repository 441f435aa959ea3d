/**
 * `@eolgul/attributes`: age, gender, head pose and eye state of a detected face.
 *
 * ```ts
 * import { createAttributeEstimator } from '@eolgul/attributes';
 * const attributes = await createAttributeEstimator();
 * const { age, gender, genderScore, pose, eyes } = await attributes.estimate(image, face); // face: a detection
 * ```
 * @packageDocumentation
 */
export * from './attribute-estimator.js';
export * from './enrollment-quality.js';
