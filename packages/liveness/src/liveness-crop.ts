/**
 * Pixel work before a liveness model: the crop rectangle around a face box, bilinear resampling of that rectangle to
 * the model's input, and the input tensor. No model, no tfjs.
 * @module
 */
import type { Box, RgbImage } from '@eolgul/core';

/** A rectangle in image pixels: top-left corner, width and height. */
export type CropRect = [x: number, y: number, width: number, height: number];

/**
 * The crop of a MiniFASNet-style liveness model (minivision-ai Silent-Face-Anti-Spoofing's `CropImage`): the face box
 * scaled by `scale` about its centre — each side separately, so the crop keeps the box's aspect — with the scale
 * lowered so the crop fits in the image, then shifted to lie inside it. The model sees the face with its
 * surroundings (hands, the edge of a printed photo, a screen's frame); the crop is stretched to the model's square input.
 * @param box face box `[x, y, w, h]`, pixels.
 * @param image the image's size.
 * @param scale crop side / box side (2.7 for `fr_liveness.onnx`).
 * @returns the crop rectangle, inside `[0, width − 1] × [0, height − 1]`.
 */
export function livenessCropRect(box: Box, image: { width: number; height: number }, scale: number): CropRect {
  const [x, y, bw, bh] = box;
  const s = Math.min((image.height - 1) / bh, (image.width - 1) / bw, scale);
  const w = bw * s,
    h = bh * s;
  let left = x + bw / 2 - w / 2,
    top = y + bh / 2 - h / 2;
  left = Math.min(Math.max(left, 0), image.width - 1 - w);
  top = Math.min(Math.max(top, 0), image.height - 1 - h);
  return [left, top, w, h];
}

/**
 * Resamples `rect` of `image` to `width × height` bilinearly with half-pixel centres (OpenCV's `INTER_LINEAR`, which the
 * liveness models were trained with); samples outside the image repeat its edge.
 * @returns float RGB values 0–255, interleaved, `[height, width, 3]`.
 */
export function resampleRect(image: RgbImage, rect: CropRect, width: number, height: number): Float32Array {
  const [rx, ry, rw, rh] = rect;
  const { data, width: W, height: H } = image;
  const out = new Float32Array(width * height * 3);
  const sx = rw / width,
    sy = rh / height;
  let o = 0;
  for (let j = 0; j < height; j++) {
    const fy = Math.min(Math.max(ry + (j + 0.5) * sy - 0.5, 0), H - 1);
    const y0 = Math.floor(fy),
      y1 = Math.min(y0 + 1, H - 1),
      wy = fy - y0;
    for (let i = 0; i < width; i++) {
      const fx = Math.min(Math.max(rx + (i + 0.5) * sx - 0.5, 0), W - 1);
      const x0 = Math.floor(fx),
        x1 = Math.min(x0 + 1, W - 1),
        wx = fx - x0;
      const a = (y0 * W + x0) * 3,
        b = (y0 * W + x1) * 3,
        c = (y1 * W + x0) * 3,
        d = (y1 * W + x1) * 3;
      for (let k = 0; k < 3; k++) {
        const top = data[a + k] + (data[b + k] - data[a + k]) * wx;
        const bottom = data[c + k] + (data[d + k] - data[c + k]) * wx;
        out[o++] = top + (bottom - top) * wy;
      }
    }
  }
  return out;
}

/**
 * Interleaved RGB floats → a `[1, 3, H, W]` tensor in the given channel order, each value `v × scale`.
 */
export function planarTensor(rgb: Float32Array, pixels: number, order: 'rgb' | 'bgr', scale = 1): Float32Array {
  const out = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++)
    for (let c = 0; c < 3; c++) out[c * pixels + p] = rgb[p * 3 + (order === 'bgr' ? 2 - c : c)] * scale;
  return out;
}
