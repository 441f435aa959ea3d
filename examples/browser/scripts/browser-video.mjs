// Builds the y4m videos that Chromium's fake camera plays (`--use-file-for-fake-video-capture=<file.y4m>`, looped),
// with Debian's ffmpeg: each still image is scaled onto a 640×480 grey frame and repeated for its duration.
// Used by the end-to-end test and the benchmark; the LFW images are read at run time, never committed.
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/**
 * One still shown for `seconds`: an image, two images side by side (two faces), or a plain frame (no face), on a
 * background of colour `background` (ffmpeg colour, default grey `0x7f7f7f`; a test can tell segments apart by it).
 * @typedef {({ kind: 'image', path: string, seconds: number }
 *   | { kind: 'pair', paths: [string, string], seconds: number }
 *   | { kind: 'blank', seconds: number }) & { background?: string }} Segment
 */

export const WIDTH = 640;
export const HEIGHT = 480;

/** @param {string[]} args ffmpeg input and filter arguments. @returns {Buffer} one 640×480 I420 frame. */
function ffmpegFrame(args) {
  const out = execFileSync(
    'ffmpeg',
    ['-loglevel', 'error', ...args, '-pix_fmt', 'yuv420p', '-f', 'rawvideo', '-frames:v', '1', 'pipe:1'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  if (out.length !== (WIDTH * HEIGHT * 3) / 2)
    throw new Error(`ffmpeg gave ${out.length} bytes for one ${WIDTH}×${HEIGHT} I420 frame`);
  return out;
}

/**
 * One 640×480 I420 frame of a segment.
 * @param {Segment} s
 * @param {number} [side] side of the scaled still image, pixels (default 400; a 250×250 LFW face becomes ~180 px wide).
 * @returns {Buffer}
 */
export function segmentFrame(s, side = 400) {
  const background = s.background ?? '0x7f7f7f';
  const pad = `pad=${WIDTH}:${HEIGHT}:(ow-iw)/2:(oh-ih)/2:color=${background}`;
  if (s.kind === 'blank') return ffmpegFrame(['-f', 'lavfi', '-i', `color=c=${background}:s=${WIDTH}x${HEIGHT}`]);
  if (s.kind === 'image') return ffmpegFrame(['-i', s.path, '-vf', `scale=${side}:${side},${pad}`]);
  const half = WIDTH / 2 - 20;
  return ffmpegFrame([
    '-i',
    s.paths[0],
    '-i',
    s.paths[1],
    '-filter_complex',
    `[0:v]scale=${half}:${half}[a];[1:v]scale=${half}:${half}[b];[a][b]hstack=inputs=2,${pad}`,
  ]);
}

/**
 * The 8-bit RGB pixels of a 640×480 I420 frame (as {@link segmentFrame} gives it), converted by ffmpeg: what a page
 * sees of the fake camera, for measuring a frame in Node.
 * @param {Buffer} frame @returns {{ data: Uint8Array, width: number, height: number }}
 */
export function frameToRgb(frame) {
  const input = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${WIDTH}x${HEIGHT}`, '-i', 'pipe:0'];
  const output = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  const out = execFileSync('ffmpeg', ['-loglevel', 'error', ...input, ...output], {
    input: frame,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { data: new Uint8Array(out), width: WIDTH, height: HEIGHT };
}

/**
 * Writes a y4m file: the segments in order, each frame repeated `seconds × fps` times.
 * @param {string} file output path. @param {readonly Segment[]} segments @param {number} [fps] default 15.
 * @returns {Promise<number>} the number of frames written.
 */
export async function writeY4m(file, segments, fps = 15) {
  const out = createWriteStream(file);
  const write = async (chunk) => {
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  };
  await write(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F${fps}:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\n`);
  const cache = new Map();
  let frames = 0;
  for (const s of segments) {
    const key = `${s.background ?? ''}|${s.kind === 'blank' ? 'blank' : s.kind === 'image' ? s.path : s.paths.join('|')}`;
    let frame = cache.get(key);
    if (!frame) {
      frame = segmentFrame(s);
      cache.set(key, frame);
    }
    const n = Math.max(1, Math.round(s.seconds * fps));
    for (let i = 0; i < n; i++) {
      await write('FRAME\n');
      await write(frame);
    }
    frames += n;
  }
  await new Promise((ok, fail) => out.end((err) => (err ? fail(err) : ok())));
  return frames;
}
