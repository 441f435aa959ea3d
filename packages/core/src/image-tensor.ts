/**
 * Pixels to a model's input tensor: channel order, grey conversion, layout and per-channel normalisation.
 * @module
 */
import { perChannel } from './image-tensor-channels.js';

/**
 * How the channels of an input tensor are laid out, for a batch of one image (`[1, ...]`):
 * - `'nchw'`: one plane per channel, each row after row (`[C, H, W]`): ONNX / PyTorch models;
 * - `'nhwc'`: the channels of each pixel together (`[H, W, C]`): TensorFlow models;
 * - `'ncwh'`: one plane per channel, each column after column (`[C, W, H]`): MTCNN's nets converted from Caffe.
 */
export type TensorLayout = 'nchw' | 'nhwc' | 'ncwh';

/** What a model takes as input: which channels, in which layout, normalised how. */
export interface ImageTensorSpec {
  /** Layout of the values (see {@link TensorLayout}). */
  layout: TensorLayout;
  /**
   * `'rgb'` or `'bgr'`: three channels in that order; `'grey'`: one channel, the weighted sum of R, G and B with
   * {@link ImageTensorSpec.greyWeights}.
   */
  channels: 'rgb' | 'bgr' | 'grey';
  /** Subtracted from each value (0–255) before scaling: one number, or one per R, G, B channel (grey: the first). Default 0. */
  mean?: number | readonly [number, number, number];
  /** Multiplies each value after `mean` is subtracted: one number or one per R, G, B channel, as `mean`. Default 1. */
  scale?: number | readonly [number, number, number];
  /** Weights of R, G and B for `channels: 'grey'` (default ITU-R BT.601 luma: 0.299, 0.587, 0.114). */
  greyWeights?: readonly [number, number, number];
}

/**
 * Writes an image's pixels as a model input: each value `(v − mean[c]) × scale[c]`, c the R, G or B channel it came
 * from (grey: the weighted sum first, then `(g − mean[0]) × scale[0]`), in the spec's channel order and layout.
 * @param pixels RGB values, row-major interleaved (`[height, width, 3]`): bytes, or floats 0–255 (a resampled crop).
 * @param width image width, pixels.
 * @param height image height, pixels.
 * @param spec the model's input spec.
 * @param out where to write (default: a new array of `width * height * channels` values).
 * @param offset where in `out` to start (default 0), e.g. `i * width * height * 3` for the i-th image of a batch.
 * @returns `out`.
 * @example
 * ```ts
 * // The bundled embedder: [1, 3, 112, 112] BGR planes, (v − 127.5) / 128.
 * const input = imageToTensor(crop.data, 112, 112, { layout: 'nchw', channels: 'bgr', mean: 127.5, scale: 1 / 128 });
 * ```
 */
export function imageToTensor(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  spec: ImageTensorSpec,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  const n = width * height;
  const mean = perChannel(spec.mean, 0),
    scale = perChannel(spec.scale, 1);
  if (spec.channels === 'grey') {
    const [wr, wg, wb] = spec.greyWeights ?? [0.299, 0.587, 0.114];
    const m = mean[0],
      s = scale[0];
    const dst = out ?? new Float32Array(n);
    // One channel: the plane is the same in 'nchw' and 'nhwc'; 'ncwh' transposes it.
    const columnMajor = spec.layout === 'ncwh';
    for (let y = 0, p = 0; y < height; y++) {
      for (let x = 0; x < width; x++, p++) {
        const g = wr * pixels[p * 3] + wg * pixels[p * 3 + 1] + wb * pixels[p * 3 + 2];
        dst[offset + (columnMajor ? x * height + y : p)] = (g - m) * s;
      }
    }
    return dst;
  }
  const dst = out ?? new Float32Array(n * 3);
  // Output channel k holds source channel src[k], normalised with that source channel's mean and scale.
  const src = spec.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const [c0, c1, c2] = src;
  const [m0, m1, m2] = [mean[c0], mean[c1], mean[c2]],
    [s0, s1, s2] = [scale[c0], scale[c1], scale[c2]];
  if (spec.layout === 'nhwc') {
    for (let p = 0, i = 0, o = offset; p < n; p++, i += 3, o += 3) {
      dst[o] = (pixels[i + c0] - m0) * s0;
      dst[o + 1] = (pixels[i + c1] - m1) * s1;
      dst[o + 2] = (pixels[i + c2] - m2) * s2;
    }
  } else if (spec.layout === 'nchw') {
    for (let p = 0, i = 0; p < n; p++, i += 3) {
      const o = offset + p;
      dst[o] = (pixels[i + c0] - m0) * s0;
      dst[o + n] = (pixels[i + c1] - m1) * s1;
      dst[o + 2 * n] = (pixels[i + c2] - m2) * s2;
    }
  } else {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3,
          o = offset + x * height + y;
        dst[o] = (pixels[i + c0] - m0) * s0;
        dst[o + n] = (pixels[i + c1] - m1) * s1;
        dst[o + 2 * n] = (pixels[i + c2] - m2) * s2;
      }
    }
  }
  return dst;
}
