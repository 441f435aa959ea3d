// Activation statistics for post-training quantisation: running min/max, per-channel ranges of NCHW tensors, and a
// histogram per tensor from which the uint8 range with the least squared error (rounding inside, clipping outside) is
// chosen — the 'MinMSE' calibration of ONNX Runtime's and TensorRT's quantisers, searched on a grid.

/** Widens `range` ([min, max], or undefined) to hold every value of `data`. */
export function widen(range, data) {
  let [lo, hi] = range ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new Error('a tensor holds non-finite values');
  return [lo, hi];
}

/**
 * Widens per-channel ranges (0 included) with an NCHW tensor of batch 1, `dims` = [1, C, H, W].
 * @param {[number, number][] | undefined} ranges
 * @returns {[number, number][]}
 */
export function widenChannels(ranges, data, dims) {
  const C = dims[1];
  const per = data.length / C;
  const out = ranges ?? Array.from({ length: C }, () => [0, 0]);
  for (let c = 0; c < C; c++) {
    const r = out[c];
    for (let i = c * per; i < (c + 1) * per; i++) {
      const v = data[i];
      if (v < r[0]) r[0] = v;
      else if (v > r[1]) r[1] = v;
    }
  }
  return out;
}

/** A histogram of values over a fixed [lo, hi] (from a first pass), `bins` equal bins; values outside are clamped in. */
export class Histogram {
  constructor(lo, hi, bins = 2048) {
    this.lo = lo;
    this.hi = hi;
    this.counts = new Float64Array(bins);
    this.width = (hi - lo) / bins || 1;
  }
  add(data) {
    const { lo, width, counts } = this;
    const last = counts.length - 1;
    for (let i = 0; i < data.length; i++) {
      const b = Math.floor((data[i] - lo) / width);
      counts[Math.max(0, Math.min(b, last))]++;
    }
  }
  /** Sum of squared errors of uint8 quantisation over [a, b] (0 included), bins taken at their centres. */
  squaredError(a, b) {
    const lo = Math.min(a, 0),
      hi = Math.max(b, 0);
    const step = (hi - lo) / 255 || 1;
    const zero = Math.round(-lo / step);
    let e = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const n = this.counts[i];
      if (!n) continue;
      const v = this.lo + (i + 0.5) * this.width;
      const q = Math.max(0, Math.min(255, Math.round(v / step) + zero));
      e += n * (v - (q - zero) * step) ** 2;
    }
    return e;
  }
}

/**
 * The range [lo, hi] whose uint8 quantisation has the least squared error over the histogram: the upper end searched
 * over 1 %, 2 % … 100 % of the observed maximum with the lower end fixed, then the lower end likewise, three rounds.
 * @param {Histogram} h
 * @returns {[number, number]}
 */
export function minMseRange(h) {
  const maxHi = Math.max(h.hi, 0),
    minLo = Math.min(h.lo, 0);
  let lo = minLo,
    hi = maxHi;
  const best = (candidates, error) =>
    candidates.reduce(
      (a, c) => {
        const e = error(c);
        return e < a[0] ? [e, c] : a;
      },
      [Number.POSITIVE_INFINITY, 0],
    )[1];
  const grid = (end) => Array.from({ length: 100 }, (_, k) => (end * (k + 1)) / 100);
  for (let round = 0; round < 3; round++) {
    if (maxHi > 0) hi = best(grid(maxHi), (c) => h.squaredError(lo, c));
    if (minLo < 0) lo = best(grid(minLo), (c) => h.squaredError(c, hi));
  }
  return [lo, hi];
}
