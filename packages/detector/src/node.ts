/**
 * `@eolgul/detector/node`: decoding image files and buffers to RGB in Node, with sharp (EXIF orientation, 16-bit,
 * grey, palette, alpha, CMYK), within pixel limits; encoding RGB images; mapping detections made on a downscaled copy
 * back to the file's pixels.
 * @packageDocumentation
 */
export {
  DETECTION_MAX_SIDE,
  type DecodedImage,
  encodeImage,
  MAX_IMAGE_PIXELS,
  type ReadImageOptions,
  readImage,
  toSourcePixels,
} from './image-decode.js';
