import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RgbImage } from '@eolgul/core';
import { EolgulError, ImageDecodeError } from '@eolgul/core';

const run = promisify(execFile);

/** The ffmpeg executable: `$EOLGUL_FFMPEG`, else `ffmpeg` on the PATH (Debian: `apt-get install ffmpeg`). */
export function ffmpegPath(): string {
  return process.env.EOLGUL_FFMPEG || 'ffmpeg';
}
/** The ffprobe executable: `$EOLGUL_FFPROBE`, else `ffprobe` on the PATH. */
export function ffprobePath(): string {
  return process.env.EOLGUL_FFPROBE || 'ffprobe';
}

/** Size and frame rate of a video's first video stream. */
export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second (from the stream's average frame rate). */
  fps: number;
}

/**
 * Reads a video's size and frame rate with ffprobe.
 * @throws {ImageDecodeError} when ffprobe is missing, or the file is not a readable video (names the file).
 */
export async function probeVideo(file: string): Promise<VideoInfo> {
  let out: string;
  try {
    ({ stdout: out } = await run(ffprobePath(), [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,avg_frame_rate,r_frame_rate:stream_tags=rotate:stream_side_data=rotation',
      '-of',
      'json',
      file,
    ]));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new EolgulError(
        'INVALID_ARGUMENT',
        `ffprobe not found: install ffmpeg (Debian: apt-get install ffmpeg) or set EOLGUL_FFPROBE`,
      );
    throw new ImageDecodeError(file, `not a readable video (${(e.stderr ?? e.message).trim()})`, { cause: err });
  }
  const s = JSON.parse(out).streams?.[0];
  if (!s?.width || !s?.height) throw new ImageDecodeError(file, 'no video stream');
  const rate = (r: string | undefined) => {
    const [a, b] = String(r ?? '0/1')
      .split('/')
      .map(Number);
    return b ? a / b : a;
  };
  const fps = rate(s.avg_frame_rate) || rate(s.r_frame_rate) || 25;
  // ffmpeg rotates frames to their display orientation (phone videos carry a 90°/270° rotation): report that size.
  const rotation = Number(
    s.side_data_list?.find((d: { rotation?: number }) => d.rotation !== undefined)?.rotation ?? s.tags?.rotate ?? 0,
  );
  const quarter = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  return quarter ? { width: s.height, height: s.width, fps } : { width: s.width, height: s.height, fps };
}

/**
 * Decodes a video into RGB frames with ffmpeg (rgb24 on a pipe), one at a time, in order.
 * @param every keep one frame in `every` (frames 0, every, 2·every, ...); the others are skipped without a copy.
 * @yields `{ index, time, image }`: frame index from 0, time in seconds, the frame `[H, W, 3]` uint8.
 */
export async function* readVideoFrames(
  file: string,
  every = 1,
): AsyncGenerator<{ index: number; time: number; image: RgbImage }> {
  const info = await probeVideo(file);
  const frameBytes = info.width * info.height * 3;
  const ff = spawn(
    ffmpegPath(),
    ['-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  ff.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((resolve, reject) => {
    ff.on('error', reject);
    ff.on('close', (code) => resolve(code ?? 1));
  });
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  try {
    for await (const chunk of ff.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        const frame = pending.subarray(0, frameBytes);
        pending = pending.subarray(frameBytes);
        if (index % every === 0) {
          yield {
            index,
            time: index / info.fps,
            image: { data: new Uint8Array(frame), width: info.width, height: info.height },
          };
        }
        index++;
      }
    }
  } finally {
    if (ff.exitCode === null) ff.kill('SIGKILL');
  }
  const code = await exited.catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT'
      ? new EolgulError('INVALID_ARGUMENT', 'ffmpeg not found: install ffmpeg or set EOLGUL_FFMPEG')
      : err;
  });
  if (code !== 0 && index === 0) throw new ImageDecodeError(file, `ffmpeg failed: ${stderr.trim()}`);
}
