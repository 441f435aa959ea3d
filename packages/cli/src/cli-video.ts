import { execFile, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { RgbImage } from '@eolgul/core';
import { EolgulError, VideoDecodeError } from '@eolgul/core';

const run = promisify(execFile);

/** The ffmpeg executable: `$EOLGUL_FFMPEG`, else `ffmpeg` on the PATH (Debian: `apt-get install ffmpeg`). */
export function ffmpegPath(): string {
  return process.env.EOLGUL_FFMPEG || 'ffmpeg';
}
/** The ffprobe executable: `$EOLGUL_FFPROBE`, else `ffprobe` on the PATH. */
export function ffprobePath(): string {
  return process.env.EOLGUL_FFPROBE || 'ffprobe';
}

/** URL schemes `watch` hands to ffmpeg. */
export const VIDEO_URL_SCHEMES: readonly string[] = Object.freeze(['http', 'https']);

/** Size, frame rate and length of a video's first video stream. */
export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second (from the stream's average frame rate). */
  fps: number;
  /**
   * How many frames the file should decode to: the container's frame count when it records one (MP4, MOV), else
   * duration × fps; undefined when neither is known (live streams).
   */
  expectedFrames?: number;
  /** Whether `expectedFrames` is the container's own count (exact) or estimated from the duration. */
  exact: boolean;
  /** What ffmpeg is given as input: `file:<absolute path>` (a `:` in a name is never read as a protocol) or the URL. */
  input: string;
}

/**
 * Checks that `source` is something `watch` can read without blocking: a regular file, or an http(s) URL. A FIFO, a
 * socket, a device or a folder is refused before ffmpeg opens it (a FIFO with no writer would block it forever).
 * @returns the input to give ffmpeg.
 * @throws {VideoDecodeError} missing, not a regular file, or a URL of another scheme.
 */
export async function checkVideoSource(source: string): Promise<string> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1].toLowerCase();
  if (scheme !== undefined) {
    if (VIDEO_URL_SCHEMES.includes(scheme)) return source;
    throw new VideoDecodeError(source, `${scheme}:// URLs are not supported (${VIDEO_URL_SCHEMES.join(', ')} are)`);
  }
  const s = await stat(source).catch((err: NodeJS.ErrnoException) => {
    throw new VideoDecodeError(source, err.code === 'ENOENT' ? 'no such file' : err.message, { cause: err });
  });
  if (!s.isFile()) {
    const kind = s.isDirectory()
      ? 'a folder'
      : s.isFIFO()
        ? 'a FIFO (named pipe)'
        : s.isSocket()
          ? 'a socket'
          : s.isCharacterDevice() || s.isBlockDevice()
            ? 'a device'
            : 'not a regular file';
    throw new VideoDecodeError(
      source,
      `${kind}: watch reads regular video files and ${VIDEO_URL_SCHEMES.join('/')} URLs`,
    );
  }
  return `file:${path.resolve(source)}`;
}

/**
 * Checks the source (see {@link checkVideoSource}) and reads its size, frame rate and length with ffprobe.
 * @throws {VideoDecodeError} not a readable source, not a video, or no video stream (names the file).
 * @throws {InvalidArgumentError} ffprobe is not installed.
 */
export async function probeVideo(source: string): Promise<VideoInfo> {
  const input = await checkVideoSource(source);
  let out: string;
  try {
    ({ stdout: out } = await run(ffprobePath(), [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:stream_tags=rotate:stream_side_data=rotation:format=duration',
      '-of',
      'json',
      input,
    ]));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new EolgulError(
        'INVALID_ARGUMENT',
        `ffprobe not found: install ffmpeg (Debian: apt-get install ffmpeg) or set EOLGUL_FFPROBE`,
      );
    throw new VideoDecodeError(source, `not a readable video (${(e.stderr ?? e.message).trim()})`, { cause: err });
  }
  const probe = JSON.parse(out);
  const s = probe.streams?.[0];
  if (!s?.width || !s?.height) throw new VideoDecodeError(source, 'no video stream');
  const rate = (r: string | undefined) => {
    const [a, b] = String(r ?? '0/1')
      .split('/')
      .map(Number);
    return b ? a / b : a;
  };
  const fps = rate(s.avg_frame_rate) || rate(s.r_frame_rate) || 25;
  // The container's count when it has one; else the video stream's duration (or, for Matroska/WebM, which record none
  // per stream, the file's) times the rate.
  const counted = Number(s.nb_frames);
  const duration = Number(s.duration ?? probe.format?.duration);
  const exact = Number.isInteger(counted) && counted > 0;
  const expectedFrames = exact ? counted : duration > 0 ? Math.round(duration * fps) : undefined;
  // ffmpeg rotates frames to their display orientation (phone videos carry a 90°/270° rotation): report that size.
  const rotation = Number(
    s.side_data_list?.find((d: { rotation?: number }) => d.rotation !== undefined)?.rotation ?? s.tags?.rotate ?? 0,
  );
  const quarter = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const [width, height] = quarter ? [s.height, s.width] : [s.width, s.height];
  return { width, height, fps, expectedFrames, exact, input };
}

/** How a decoded video ended: frames decoded against those expected, and what ffmpeg reported. */
export interface VideoEnd {
  /** Frames ffmpeg decoded (all of them, analysed or skipped). */
  decoded: number;
  /** From {@link VideoInfo.expectedFrames}. */
  expected?: number;
  /**
   * Why the video looks truncated or damaged (fewer frames than the container records, or than its duration implies
   * with errors from ffmpeg, or ffmpeg failing after some frames); undefined when it decoded whole.
   */
  problem?: string;
}

/**
 * Decodes a video into RGB frames with ffmpeg (rgb24 on a pipe), one at a time, in order, each decoded frame once
 * (no frame duplicated or dropped to keep a constant rate).
 * @param info from {@link probeVideo}.
 * @param every keep one frame in `every` (frames 0, every, 2·every, ...); the others are skipped without a copy.
 * @param onEnd receives how the video ended ({@link VideoEnd}) once every frame was read.
 * @yields `{ index, time, image }`: frame index from 0, time in seconds, the frame `[H, W, 3]` uint8.
 * @throws {VideoDecodeError} ffmpeg decoded no frame at all.
 */
export async function* readVideoFrames(
  source: string,
  info: VideoInfo,
  every: number,
  onEnd: (end: VideoEnd) => void,
): AsyncGenerator<{ index: number; time: number; image: RgbImage }> {
  const frameBytes = info.width * info.height * 3;
  const ff = spawn(
    ffmpegPath(),
    [
      ...['-v', 'error', '-i', info.input, '-map', '0:v:0'],
      ...['-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
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
  const said = stderr.trim().split('\n')[0] ?? '';
  if (index === 0) throw new VideoDecodeError(source, `ffmpeg decoded no frame${said ? `: ${said}` : ''}`);
  const expected = info.expectedFrames;
  let problem: string | undefined;
  if (code !== 0) problem = `ffmpeg failed after ${index} frames${said ? `: ${said}` : ''}`;
  else if (expected !== undefined && (info.exact ? index < expected : index < expected - 1 && said !== ''))
    problem = `truncated or damaged: ${index} of ${expected} frames decoded${said ? ` (ffmpeg: ${said})` : ''}`;
  onEnd({ decoded: index, expected, problem });
}
