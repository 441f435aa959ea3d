import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { euclideanDistance, formatCsv } from '@eolgul/core';
import { writeFileAtomic } from '@eolgul/core/node';
import { evaluatePairs, identificationRank1, parsePairs, type PairScore } from '@eolgul/lfw-tools';
import { defaultWorkers, embedMainFaces } from '../cli-batch.js';
import type { CliContext } from '../cli-context.js';
import { listImages } from '../cli-files.js';
import { MAX_WORKERS, positive } from '../cli-options.js';
import { printable, progress, round } from '../cli-output.js';

/** `eolgul lfw eval`: the LFW View-2 pairs protocol (and 1:N rank-1 with --rank1) over an LFW-layout folder. */
export function addLfwEvalCommand(lfw: Command, ctx: CliContext): void {
  lfw
    .command('eval')
    .description(
      'LFW View-2 protocol: 10-fold accuracy (threshold chosen on 9 folds, tested on the 10th), ROC AUC, TAR at FAR = 1e-3; a pair with a missing face counts as wrong.',
    )
    .requiredOption('--images <dir>', 'LFW-layout folder <Name>/<Name>_NNNN.jpg')
    .requiredOption('--pairs <file>', 'pairs.txt')
    .option('--json <out.json>', 'also write the result as JSON')
    .option(
      '--rank1',
      'also measure 1:N rank-1 over every image of the folder (first 5 images of each person enrolled; mean template per identity, as the gallery; nearest image beside it)',
    )
    .option('--errors <file>', 'write the wrongly answered pairs (CSV) at the mean threshold')
    .option(
      '--workers <n>',
      `worker threads (default ${defaultWorkers()}: one per core)`,
      positive('workers', MAX_WORKERS),
    )
    .action(
      async (opts: {
        images: string;
        pairs: string;
        json?: string;
        rank1?: boolean;
        errors?: string;
        workers?: number;
      }) => {
        const { io } = ctx;
        const { pairs } = parsePairs(await fs.readFile(opts.pairs, 'utf8'), opts.pairs);
        let wanted = [...new Set(pairs.flatMap((x) => [x.a, x.b]))].sort();
        if (opts.rank1)
          wanted = [
            ...new Set([...wanted, ...(await listImages(opts.images)).map((f) => path.relative(opts.images, f))]),
          ].sort();
        const emb = new Map<string, Float32Array | null>();
        const bar = progress(io, wanted.length, 'lfw eval');
        const files = wanted.map((rel) => path.join(opts.images, rel));
        const results = await embedMainFaces(ctx, files, opts.workers ?? defaultWorkers(), bar.tick);
        bar.stop();
        let missingFaces = 0;
        results.forEach((r, i) => {
          if (r.ok) emb.set(wanted[i], r.embedding);
          else {
            emb.set(wanted[i], null);
            missingFaces++;
            io.err(printable(`no embedding for ${wanted[i]}: ${r.code}: ${r.message}`));
          }
        });
        const scores: PairScore[] = pairs.map((x) => {
          const a = emb.get(x.a),
            b = emb.get(x.b);
          return { fold: x.fold, same: x.same, distance: a && b ? euclideanDistance(a, b) : null };
        });
        const result = evaluatePairs(scores, { missingFaces });
        // FAR = 1e-3 means one false accept in a thousand mismatched pairs: with fewer, any threshold with none reaches it.
        const mismatched = pairs.filter((x) => !x.same).length;
        const summary: Record<string, unknown> = {
          accuracy: round(result.accuracy, 5),
          accuracyStd: round(result.accuracyStd, 5),
          auc: round(result.auc, 5),
          tarAtFar1e3: round(result.tarAtFar1e3, 5),
          threshold: round(result.threshold, 4),
          pairs: result.pairs,
          mismatchedPairs: mismatched,
          missingFaces: result.missingFaces,
          refine: ctx.flags().refine,
          detector: ctx.flags().detector,
          precision: ctx.flags().precision,
        };
        if (opts.rank1) {
          const rels = [...emb.keys()].filter((k) => emb.get(k));
          const vecs = rels.map((k) => emb.get(k)!);
          const labels = rels.map((k) => k.split('/')[0]);
          // The gallery's default: each identity's mean template; the nearest-image rule is reported beside it.
          const r = identificationRank1(vecs, labels, { enrollPerIdentity: 5, match: 'identity-mean' });
          const ri = identificationRank1(vecs, labels, { enrollPerIdentity: 5, match: 'nearest-image' });
          summary.rank1 = round(r.rank1, 5);
          summary.rank1NearestImage = round(ri.rank1, 5);
          summary.rank1Probes = r.probes;
        }
        io.out(
          `pairs ${result.pairs}, images without a face ${missingFaces}, detector: ${ctx.flags().detector}, landmarks: ${ctx.alignment().landmarks}, precision: ${ctx.flags().precision}`,
        );
        const farCaveat =
          mismatched < 1000
            ? ` (only ${mismatched} mismatched pairs: FAR = 1e-3 needs at least 1000 to mean much)`
            : '';
        io.out(
          `10-fold accuracy ${(result.accuracy * 100).toFixed(2)} % ± ${(result.accuracyStd * 100).toFixed(2)}, AUC ${result.auc.toFixed(5)}, TAR ${(result.tarAtFar1e3 * 100).toFixed(2)} % at FAR = 1e-3${farCaveat}, threshold ${result.threshold.toFixed(4)}`,
        );
        if (opts.rank1)
          io.out(
            `1:N rank-1 ${((summary.rank1 as number) * 100).toFixed(2)} % with identity templates (${((summary.rank1NearestImage as number) * 100).toFixed(2)} % with the nearest image) over ${summary.rank1Probes} probes`,
          );
        if (opts.json)
          await writeFileAtomic(opts.json, `${JSON.stringify({ ...summary, folds: result.folds }, null, 2)}\n`, 0o644);
        if (opts.errors) {
          const wrong = pairs
            .map((x, i) => ({ ...x, distance: scores[i].distance }))
            .filter((x) => x.distance === null || x.distance <= result.threshold !== x.same)
            .map((x) => ({
              fold: x.fold,
              a: x.a,
              b: x.b,
              same: String(x.same),
              distance: x.distance === null ? 'missing' : round(x.distance),
            }));
          await writeFileAtomic(opts.errors, formatCsv(wrong, ['fold', 'a', 'b', 'same', 'distance']), 0o644);
        }
        ctx.setExit(0);
      },
    );
}
