/**
 * `@eolgul/detector/node`: decoding image files and buffers to RGB in Node, with sharp (EXIF orientation, 16-bit,
 * grey, palette, alpha, CMYK), within pixel limits; encoding RGB images; mapping detections made on a downscaled copy
 * back to the file's pixels.
 * @packageDocumentation
 */
export { DETECTION_MAX_SIDE, encodeImage, MAX_IMAGE_PIXELS, type ReadImageOptions, readImage } from './image-decode.js';
export { type DecodedImage, toSourcePixels } from './face-source-pixels.js';
