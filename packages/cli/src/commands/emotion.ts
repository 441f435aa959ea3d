import type { Command } from 'commander';
import { NoFaceError } from '@eolgul/core';
import { toSourcePixels } from '@eolgul/detector';
import { createEmotionClassifier } from '@eolgul/emotion';
import type { CliContext } from '../cli-context.js';
import { reasonOf, round } from '../cli-output.js';
import { readForDetection } from '../cli-pipeline.js';

/** `eolgul emotion <image...>`: the expression of every face (or of already-cropped faces with --aligned). */
export function addEmotionCommand(program: Command, ctx: CliContext): void {
  program
    .command('emotion')
    .description('Facial expression of every face (7 classes: angry, disgust, fear, happy, sad, surprise, neutral).')
    .option('--json', 'one JSON object per face per line')
    .option('--aligned', 'each image is an already-cropped face (no detection)')
    .argument('<image...>')
    .action(async (images: string[], opts: { json?: boolean; aligned?: boolean }) => {
      const { io } = ctx;
      const classifier = opts.aligned ? await createEmotionClassifier() : undefined;
      const p = opts.aligned ? undefined : await ctx.pipeline(true);
      let failed = 0;
      for (const f of images) {
        try {
          const image = await readForDetection(f);
          const results = classifier
            ? [{ box: undefined, emotion: await classifier.classify(image) }]
            : (await p!.detector.detect(image, ctx.detectOptions())).map(async (face) => ({
                box: toSourcePixels(face, image).box,
                emotion: await p!.emotion!.classify(image, face),
              }));
          const resolved = await Promise.all(results);
          if (resolved.length === 0) throw new NoFaceError(f);
          for (const r of resolved) {
            const obj: Record<string, unknown> = {
              image: f,
              emotion: r.emotion.label,
              scores: roundScores(r.emotion.scores),
            };
            if (r.box) obj.box = r.box;
            if (opts.json) io.out(JSON.stringify(obj));
            else
              io.out(
                `${f}${r.box ? ` ${JSON.stringify(r.box)}` : ''}: ${r.emotion.label} (${round(r.emotion.score, 3)})`,
              );
          }
        } catch (err) {
          failed++;
          io.err(`failed ${f}: ${reasonOf(err)}`);
        }
      }
      await classifier?.dispose();
      ctx.setExit(failed > 0 ? 1 : 0);
    });
}

function roundScores(scores: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, round(v, 4)]));
}
