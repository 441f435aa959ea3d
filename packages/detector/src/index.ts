/**
 * `@eolgul/detector`: face detection, landmarks and alignment.
 *
 * ```ts
 * import { readImage, createFaceDetector, alignFace } from '@eolgul/detector';
 * const image = await readImage('photo.jpg');
 * const detector = await createFaceDetector();
 * const [face] = await detector.detect(image);
 * const crop = alignFace(image, face.landmarks, 112); // [112, 112, 3] uint8, ready for @eolgul/facenet
 * ```
 * @packageDocumentation
 */
export * from './image-decode.js';
export * from './face-geometry.js';
export * from './face-detector.js';
export * from './face-detector-mtcnn.js';
export type { Box, FaceDetection, Point, RgbImage } from '@eolgul/core';
