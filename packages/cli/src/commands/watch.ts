import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { faceAnswer, recognizerForGallery } from '../cli-gallery.js';
import { decimal, positive } from '../cli-options.js';
import { printable, round } from '../cli-output.js';
import { probeVideo, readVideoFrames, type VideoEnd } from '../cli-video.js';

/** `eolgul watch <video> --gallery <dir>`: the faces of a video, frame by frame, through ffmpeg. */
export function addWatchCommand(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description(
      "Identify the faces in a video file frame by frame (frames decoded by ffmpeg: Debian's, or $EOLGUL_FFMPEG): frame index, time, and per face box, identity or unknown, distance, emotion.",
    )
    .argument('<video>', 'video file (any format ffmpeg reads) or http(s) URL')
    .requiredOption('--gallery <dir>', 'gallery folder')
    .option('--every <n>', 'analyse one frame in n (default 1: every frame)', positive('every'))
    .option(
      '--threshold <t>',
      "L2 distance above which a face is unknown (default: the gallery's)",
      decimal('threshold'),
    )
    .option('--json', 'one JSON object per analysed frame per line')
    .option(
      '--accurate-emotion',
      'use the default two-model emotion classifier (71 % on FER2013, about 5× slower) instead of the real-time one (human-emotion, 65 %)',
    )
    .action(
      async (
        video: string,
        opts: { gallery: string; every?: number; threshold?: number; json?: boolean; accurateEmotion?: boolean },
      ) => {
        const { io } = ctx;
        // A clear error for a missing, unreadable or blocking source before any model loads.
        const info = await probeVideo(video);
        const emotion = opts.accurateEmotion ? 'accurate' : 'fast';
        const { recognizer } = await recognizerForGallery(ctx, opts.gallery, 'watch', {
          emotion,
          threshold: opts.threshold,
        });
        let analysed = 0;
        let end: VideoEnd = { decoded: 0 };
        const t0 = performance.now();
        for await (const { index, time, image } of readVideoFrames(video, info, opts.every ?? 1, (e) => (end = e))) {
          const faces = (await recognizer.analyse(image)).faces.map(faceAnswer);
          analysed++;
          if (opts.json) io.out(JSON.stringify({ frame: index, time: round(time, 3), faces }));
          else
            io.out(
              `frame ${index} (${time.toFixed(2)} s): ${faces.length ? faces.map((f) => `${printable(f.identity ?? 'unknown')} ${f.distance ?? ''} ${f.emotion ?? ''}`).join('; ') : 'no face'}`,
            );
        }
        const s = (performance.now() - t0) / 1000;
        io.err(`analysed ${analysed} frames in ${s.toFixed(1)} s (${(analysed / s).toFixed(1)} frames per second)`);
        if (end.problem) io.err(printable(`warning: video ${video}: ${end.problem}`));
        ctx.setExit(end.problem ? 1 : 0);
      },
    );
}
