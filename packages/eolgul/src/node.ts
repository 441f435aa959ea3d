/**
 * `eolgul/node`: Node-only helpers beside the recognizer: read an image as the recognizer does, draw its answers on
 * a photo.
 * @packageDocumentation
 */
export { annotateImage, type Annotation } from './annotate-image.js';
export { readImage, DETECTION_MAX_SIDE, MAX_IMAGE_PIXELS, type DecodedImage } from '@eolgul/detector/node';
export { copyModelFiles, modelFilesFor, type ModelChoices } from './copy-model-files.js';
