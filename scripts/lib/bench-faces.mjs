// What the liveness, attributes and quality benchmarks share: command-line options, the built-package check, the
// dev sets' labels.csv, crops and tensors for candidate models run by hand, and Human's models over HTTP.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsvRecords } from '@eolgul/core';
import { warpAffine } from '@eolgul/detector';

/** The repository's root folder. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `opt(name, default)`: the value after `--name` on the command line, or the default. */
export function cliOptions(args = process.argv.slice(2)) {
  return (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
}

/** Exits with a message unless each `packages/<p>/dist` exists. @param {string[]} packages */
export function requireBuilt(packages) {
  for (const p of packages) {
    if (!existsSync(join(root, 'packages', p, 'dist'))) {
      console.error(`missing packages/${p}/dist: build first (pnpm build)`);
      process.exit(1);
    }
  }
}

/**
 * The rows of a dev set's `labels.csv` (a header line, then one record per line; LF or CRLF line ends, RFC 4180
 * quoting) as objects keyed by the header's names.
 */
export function readLabels(file) {
  const [header, ...rows] = parseCsvRecords(readFileSync(file, 'utf8'), file).map((r) => r.fields);
  return rows.map((fields) => Object.fromEntries(fields.map((v, i) => [header[i], v])));
}

/** `rect` ([x, y, w, h], pixels) of `img` resampled to W×H, bilinear with half-pixel centres (cv2.resize's INTER_LINEAR). */
export const cropTo = (img, [x, y, w, h], W, H) =>
  warpAffine(img, [w / W, 0, x + (0.5 * w) / W - 0.5, 0, h / H, y + (0.5 * h) / H - 0.5], W, H);

/** The square of `scale` × the box's longer side, centred on the box. */
export const squareAround = ([x, y, w, h], scale) => {
  const side = Math.max(w, h) * scale;
  return [x + w / 2 - side / 2, y + h / 2 - side / 2, side, side];
};

/** The largest face of a detection list. */
export const largestFace = (faces) => faces.reduce((a, b) => (b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a));

/**
 * Interleaved RGB bytes → float tensor: `layout` `'nchw'` or `'nhwc'`, `bgr` channel order, `(v × mul − mean[c]) / std[c]`.
 */
export function toTensor(crop, { layout, bgr = false, mean = [0, 0, 0], std = [1, 1, 1], mul = 1 }) {
  const n = crop.width * crop.height;
  const out = new Float32Array(n * 3);
  for (let p = 0; p < n; p++)
    for (let k = 0; k < 3; k++)
      out[layout === 'nchw' ? k * n + p : p * 3 + k] = (crop.data[p * 3 + (bgr ? 2 - k : k)] * mul - mean[k]) / std[k];
  return out;
}

/**
 * Serves the files of `dir` over HTTP on 127.0.0.1 (Human's Node wasm build cannot read `file://`).
 * @returns {Promise<{ url: string, close: () => void }>}
 */
export async function serveFolder(dir) {
  const server = createServer((req, res) => {
    try {
      res.end(readFileSync(join(dir, basename(decodeURIComponent(new URL(req.url, 'http://x').pathname)))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}
