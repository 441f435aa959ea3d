import { Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import { createRequire } from 'node:module';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Table from 'cli-table3';
import cliProgress from 'cli-progress';
import {
  EolgulError,
  GalleryMismatchError,
  InvalidArgumentError,
  MultipleFacesError,
  NoFaceError,
  encodeNpy,
  euclideanDistance,
  formatCsv,
  writeFileAtomic,
} from '@eolgul/core';
import { toSourcePixels, type DetectOptions } from '@eolgul/detector';
import { DEFAULT_THRESHOLD } from '@eolgul/facenet';
import { Gallery } from '@eolgul/gallery';
import {
  checkEmbeddings,
  copyFilteredPeople,
  evaluatePairs,
  identificationRank1,
  parsePairs,
  type PairScore,
} from '@eolgul/lfw-tools';
import { createEmotionClassifier, type EmotionClassifierConfig } from '@eolgul/emotion';
import { createPipeline, readForDetection, type AnalysedFace, type Pipeline } from './cli-pipeline.js';
import { analyseImages, defaultWorkers } from './cli-pool.js';
import { identityOf, listImages } from './cli-files.js';
import { annotateImage } from './cli-annotate.js';
import { probeVideo, readVideoFrames } from './cli-video.js';

/** Where the CLI writes: injectable for tests. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
}

const defaultIo: CliIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  isTTY: !!process.stderr.isTTY,
};

const num = (name: string) => (v: string) => {
  const n = /^\s*\d+(\.\d*)?\s*$|^\s*\.\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n))
    throw new CommanderArgError(`${name} must be a non-negative decimal number, got ${JSON.stringify(v)}`);
  return n;
};
const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CommanderArgError(`${name} must be a non-negative integer, got ${v}`);
  return n;
};
const positive =
  (name: string, max = Number.MAX_SAFE_INTEGER) =>
  (v: string) => {
    const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new CommanderArgError(`${name} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
    return n;
  };
/** Upper bound of --workers: each worker holds its own copy of the models (about 150 MB). */
const MAX_WORKERS = 64;
const reasonOf = (err: unknown) =>
  err instanceof EolgulError ? `${err.code}: ${err.message}` : (err as Error).message;
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

function progress(io: CliIo, total: number, label: string) {
  if (!io.isTTY || total < 2) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}

/** Exit codes: 0 success, 1 some input failed (reported on stderr), 2 usage or fatal error. */
export type ExitCode = 0 | 1 | 2;

/**
 * Builds the `eolgul` command-line program. Commands: embed, enroll, identify, verify, emotion, lfw eval, lfw filter,
 * check, gallery list|remove|rename|export|import. See the package README for the contract.
 * @param io output sinks (stdout/stderr by default).
 * @param setExit receives the exit code of the command that ran.
 */
export function buildProgram(io: CliIo = defaultIo, setExit: (code: ExitCode) => void = () => {}): Command {
  const program = new Command('eolgul')
    .description(
      'Face recognition on the command line: detect, align, embed, enroll, identify, verify, emotion, LFW evaluation.',
    )
    .version(cliVersion(), '-V, --version', 'print the eolgul version')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .addOption(
      new Option(
        '--refine <mode>',
        "landmarks for alignment: 'onet' = MTCNN's ONet on each detector box (about 1 ms per face; LFW pairs 99.70 %, TAR at FAR = 1e-3 99.33 %), 'none' = the 68-point model (0.2 ms; 99.60 %, 99.13 %), 'mesh' = MediaPipe FaceMesh in two passes (about 12 ms per face; 99.67 %, 99.47 %)",
      )
        .choices(['onet', 'none', 'mesh'])
        .default('onet'),
    )
    .addOption(
      new Option(
        '--detector <name>',
        "face detector: 'fr_detect' (about 3 ms per image) or 'mtcnn' (the MTCNN cascade and its own 5 points: LFW pairs 99.70 %, TAR at FAR = 1e-3 99.43 %; about 16 ms per 250 px image, finds smaller background faces)",
      )
        .choices(['fr_detect', 'mtcnn'])
        .default('fr_detect'),
    );

  /**
   * The gallery manifest's `preprocess`: the embedder's pixel preprocessing and where the 5 alignment points come from.
   * `enroll` stores it; `identify` and `watch` refuse a gallery built with other points (GALLERY_MISMATCH), since one
   * face's embedding moves between alignments and the threshold was calibrated for one of them.
   */
  const galleryPreprocess = (pixels: string): string => {
    const detector = detectorName(),
      refine = detectOptions().refine;
    const points =
      refine === 'mesh'
        ? `${detector}+mesh`
        : detector === 'mtcnn'
          ? 'mtcnn'
          : refine === 'onet'
            ? 'fr_detect+onet'
            : 'fr_detect+68';
    return `${pixels}, 5 points ${points}`;
  };
  /**
   * Opens the gallery `dir` for `command` and checks that its recorded alignment points are this run's (see
   * {@link galleryPreprocess}). A gallery that records none (made by `gallery import` or the library) opens with a warning
   * on stderr. Returns undefined when `ifExists` is set and `dir` holds no gallery yet.
   * @throws {GalleryMismatchError} other points, or a gallery enrolled before the CLI recorded them; the message names
   *   the flags that match the gallery and what to do.
   */
  async function openGalleryWithPoints(
    dir: string,
    p: Pipeline,
    command: 'enroll' | 'identify' | 'watch',
    ifExists = false,
  ): Promise<Gallery | undefined> {
    if (ifExists && !(await fs.stat(path.join(dir, 'manifest.json')).catch(() => undefined))) return undefined;
    await requireGalleryDir(dir);
    const wanted = galleryPreprocess(p.facenet.preprocess);
    const gallery = await Gallery.open(dir, { dimension: p.facenet.dimension, modelId: p.facenet.modelId });
    const stored = gallery.manifest.preprocess;
    if (stored === undefined) {
      io.err(
        `warning: gallery ${dir} does not record how its faces were aligned (it was made by \`gallery import\` or the library): distances hold only if they were aligned as this run's (${pointsFlags(wanted)})`,
      );
    } else if (stored !== wanted) {
      await gallery.close();
      throw pointsMismatch(dir, stored, wanted, command);
    }
    return gallery;
  }
  /** How the 5 points were found, for `lfw eval`'s report. */
  const landmarksName = (detector: 'fr_detect' | 'mtcnn', refine: DetectOptions['refine']): string =>
    refine === 'mesh'
      ? 'FaceMesh (--refine mesh)'
      : detector === 'mtcnn'
        ? "MTCNN's 5 points"
        : refine === 'onet'
          ? "MTCNN's ONet (--refine onet)"
          : '68-point model (--refine none)';
  /** Detection options from the global flags, for every command that detects. */
  const detectOptions = (): DetectOptions => ({ refine: program.opts<{ refine: 'onet' | 'none' | 'mesh' }>().refine });
  const detectorName = (): 'fr_detect' | 'mtcnn' => program.opts<{ detector: 'fr_detect' | 'mtcnn' }>().detector;
  let pipelinePromise: Promise<Pipeline> | undefined;
  const pipeline = (emotion: boolean | EmotionClassifierConfig = false) =>
    (pipelinePromise ??= createPipeline({ emotion, detect: detectOptions(), detector: detectorName() }));

  // ---------------------------------------------------------------- embed
  program
    .command('embed')
    .description(
      'Embed the main face of every image under <dir> (recursively) into <prefix>.npy (float32 [N, D], rows L2-normalised) + <prefix>.csv (image,category); images without a face go to <prefix>.failures.csv.',
    )
    .argument('<dir>', 'folder of images: <Name>/<image> sub-folders, or a flat folder of <name>_<k>.jpg')
    .requiredOption('--out <prefix>', 'output path prefix')
    .option(
      '--workers <n>',
      `worker threads (default ${defaultWorkers()}: one per core)`,
      positive('workers', MAX_WORKERS),
    )
    .action(async (dir: string, opts: { out: string; workers?: number }) => {
      const files = await listImages(dir).catch((e) => {
        throw new EolgulError('INVALID_ARGUMENT', `cannot read folder ${dir}: ${(e as Error).message}`);
      });
      const ids = [...new Set(files.map((f) => identityOf(f, dir)))].sort();
      const category = new Map(ids.map((n, i) => [n, i]));
      const rows: { image: string; category: number }[] = [];
      const vecs: Float32Array[] = [];
      const failures: { image: string; reason: string }[] = [];
      const bar = progress(io, files.length, 'embed');
      const results = await analyseImages(files, 'main', {
        workers: opts.workers,
        onProgress: bar.tick,
        detect: detectOptions(),
        detector: detectorName(),
      });
      bar.stop();
      results.forEach((r, i) => {
        const f = files[i];
        if (r.ok) {
          rows.push({ image: path.basename(f), category: category.get(identityOf(f, dir))! });
          vecs.push(r.faces[0].embedding);
        } else failures.push({ image: path.relative(dir, f), reason: `${r.code}: ${r.message}` });
      });
      const D = vecs[0]?.length ?? (await pipeline()).facenet.dimension;
      const data = new Float32Array(vecs.length * D);
      vecs.forEach((v, i) => {
        data.set(v, i * D);
      });
      await fs.mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
      await writeFileAtomic(`${opts.out}.npy`, encodeNpy(data, [vecs.length, D]), 0o644);
      await writeFileAtomic(`${opts.out}.csv`, formatCsv(rows, ['image', 'category']), 0o644);
      await writeFileAtomic(`${opts.out}.failures.csv`, formatCsv(failures, ['image', 'reason']), 0o644);
      io.out(
        `embedded ${vecs.length} of ${files.length} images (${ids.length} identities, D=${D}) -> ${opts.out}.npy, ${opts.out}.csv`,
      );
      for (const f of failures) io.err(`skipped ${f.image}: ${f.reason}`);
      if (failures.length) io.err(`${failures.length} images without a face listed in ${opts.out}.failures.csv`);
      setExit(vecs.length === 0 && files.length > 0 ? 1 : 0);
    });

  // ---------------------------------------------------------------- enroll
  program
    .command('enroll')
    .description(
      'Enroll the faces of the images (exactly one face per image) under <name> in the gallery folder, creating it when needed. Images with no face or several faces are refused with their reason (exit code 1); the others are enrolled.',
    )
    .requiredOption('--gallery <dir>', 'gallery folder')
    .requiredOption('--name <name>', 'identity name (any Unicode)')
    .argument('<image...>', 'image files')
    .action(async (images: string[], opts: { gallery: string; name: string }) => {
      // Names are data, compared as Unicode NFC with outer white space removed, so "José" typed two ways is one person.
      opts.name = opts.name.normalize('NFC').trim();
      if (!/[^\s\u200b-\u200d\u2060\ufeff]/u.test(opts.name))
        throw new EolgulError('INVALID_ARGUMENT', 'the identity name is blank');
      const p = await pipeline();
      // An existing gallery is checked before any image is analysed: a gallery aligned otherwise refuses the whole batch.
      const existing = await openGalleryWithPoints(opts.gallery, p, 'enroll', true);
      const embeddings: Float32Array[] = [];
      const imageIds: string[] = [];
      const files: string[] = [];
      let refused = 0;
      for (const f of images) {
        try {
          // The image id is the file name: a second file with the same name would make the gallery refuse the batch.
          if (imageIds.includes(path.basename(f))) {
            throw new InvalidArgumentError(
              `image id ${JSON.stringify(path.basename(f))} (the file name) appears twice in this batch`,
            );
          }
          const { faces } = await p.analyseFile(f);
          if (faces.length === 0) throw new NoFaceError(f);
          if (faces.length > 1) throw new MultipleFacesError(f, faces.length);
          embeddings.push(faces[0].embedding);
          imageIds.push(path.basename(f));
          files.push(f);
        } catch (err) {
          refused++;
          io.err(`refused ${f}: ${reasonOf(err)}`);
        }
      }
      if (embeddings.length === 0) await existing?.close();
      else {
        if (existing) await existing.refresh(); // another process may have enrolled while the images were analysed
        const gallery =
          existing ??
          (await Gallery.open(opts.gallery, {
            create: true,
            dimension: p.facenet.dimension,
            modelId: p.facenet.modelId,
            preprocess: galleryPreprocess(p.facenet.preprocess),
            defaultThreshold: DEFAULT_THRESHOLD,
          }));
        try {
          // Images already in the gallery are refused one by one instead of failing the whole batch.
          const enrolled = new Set(gallery.identities().flatMap((n) => gallery.imagesOf(n)));
          const keep = imageIds.map((id, i) => {
            if (!enrolled.has(id)) return true;
            refused++;
            io.err(
              `refused ${files[i]}: ${reasonOf(new InvalidArgumentError(`image id ${JSON.stringify(id)} is already enrolled in ${opts.gallery}`))}`,
            );
            return false;
          });
          const fresh = embeddings.filter((_, i) => keep[i]);
          if (fresh.length > 0)
            await gallery.enroll(
              opts.name,
              fresh,
              imageIds.filter((_, i) => keep[i]),
            );
          io.out(
            `enrolled ${fresh.length} image(s) as ${JSON.stringify(opts.name)} in ${opts.gallery} (${gallery.identities().length} identities, ${gallery.size} embeddings)`,
          );
        } finally {
          await gallery.close();
        }
      }
      setExit(refused > 0 ? 1 : 0);
    });

  // ---------------------------------------------------------------- identify
  program
    .command('identify')
    .description(
      'Identify every face in every image against the gallery: box, identity or unknown, L2 distance, emotion.',
    )
    .requiredOption('--gallery <dir>', 'gallery folder')
    .option(
      '--threshold <t>',
      "L2 distance above which a face is unknown (default: the gallery's, calibrated at FAR = 1e-3)",
      num('threshold'),
    )
    .option('--json', 'one JSON object per face per line')
    .option('--annotate <dir>', 'write each image with boxes and labels into this folder')
    .argument('<image...>', 'image files')
    .action(
      async (images: string[], opts: { gallery: string; threshold?: number; json?: boolean; annotate?: string }) => {
        const p = await pipeline(true);
        // An existing empty folder is a gallery with nobody enrolled yet: every face is unknown, nothing is written.
        // A path that does not exist stays an error (a typo must not read as "nobody known").
        const isEmptyDir = (await fs.readdir(opts.gallery).catch(() => undefined))?.length === 0;
        const gallery = isEmptyDir
          ? Gallery.inMemory({
              dimension: p.facenet.dimension,
              modelId: p.facenet.modelId,
              defaultThreshold: DEFAULT_THRESHOLD,
            })
          : (await openGalleryWithPoints(opts.gallery, p, 'identify'))!;
        const threshold = opts.threshold ?? gallery.defaultThreshold;
        const table = new Table({
          head: ['image', 'box [x, y, w, h]', 'identity', 'distance', 'emotion'],
          style: process.stdout.isTTY ? undefined : { head: [], border: [] },
        });
        let failed = 0;
        try {
          for (const f of images) {
            try {
              const { image, faces } = await p.analyseFile(f);
              if (faces.length === 0 && !opts.json) table.push([f, '-', 'no face', '-', '-']);
              const labels = [];
              for (const face of faces) {
                // Box in file pixels (the image may have been decoded downscaled).
                const row = {
                  image: f,
                  ...faceAnswer(gallery, { ...face, box: toSourcePixels(face, image).box }, threshold),
                };
                const identity = row.identity;
                if (opts.json) io.out(JSON.stringify(row));
                else
                  table.push([
                    f,
                    JSON.stringify(row.box),
                    identity ?? 'unknown',
                    row.distance ?? '-',
                    `${row.emotion} ${row.emotionScore}`,
                  ]);
                labels.push({
                  box: face.box,
                  label: `${identity ?? 'unknown'} ${row.distance ?? ''} ${row.emotion ?? ''}`,
                  color: identity ? '#1a9850' : '#d73027',
                });
              }
              if (opts.annotate) {
                await fs.mkdir(opts.annotate, { recursive: true });
                const name = `${path.basename(f, path.extname(f))}.annotated.jpg`;
                await fs.writeFile(path.join(opts.annotate, name), await annotateImage(image, labels));
              }
            } catch (err) {
              failed++;
              io.err(`failed ${f}: ${reasonOf(err)}`);
            }
          }
        } finally {
          await gallery.close();
        }
        if (!opts.json) io.out(table.toString());
        setExit(failed > 0 ? 1 : 0);
      },
    );

  // ---------------------------------------------------------------- watch
  program
    .command('watch')
    .description(
      "Identify the faces in a video file frame by frame (frames decoded by ffmpeg: Debian's, or $EOLGUL_FFMPEG): frame index, time, and per face box, identity or unknown, distance, emotion.",
    )
    .argument('<video>', 'video file (anything ffmpeg reads)')
    .requiredOption('--gallery <dir>', 'gallery folder')
    .option('--every <n>', 'analyse one frame in n (default 1: every frame)', positive('every'))
    .option('--threshold <t>', "L2 distance above which a face is unknown (default: the gallery's)", num('threshold'))
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
        await probeVideo(video); // a clear error for a missing or unreadable video before any model loads
        const p = await pipeline(opts.accurateEmotion ? true : { model: 'human-emotion' });
        const gallery = (await openGalleryWithPoints(opts.gallery, p, 'watch'))!;
        const threshold = opts.threshold ?? gallery.defaultThreshold;
        let frames = 0;
        const t0 = performance.now();
        try {
          for await (const { index, time, image } of readVideoFrames(video, opts.every ?? 1)) {
            const faces = (await p.analyse(image)).map((face) => faceAnswer(gallery, face, threshold));
            frames++;
            if (opts.json) io.out(JSON.stringify({ frame: index, time: round(time, 3), faces }));
            else
              io.out(
                `frame ${index} (${time.toFixed(2)} s): ${faces.length ? faces.map((f) => `${f.identity ?? 'unknown'} ${f.distance ?? ''} ${f.emotion ?? ''}`).join('; ') : 'no face'}`,
              );
          }
        } finally {
          await gallery.close();
        }
        const s = (performance.now() - t0) / 1000;
        io.err(`analysed ${frames} frames in ${s.toFixed(1)} s (${(frames / s).toFixed(1)} frames per second)`);
        setExit(0);
      },
    );

  // ---------------------------------------------------------------- verify
  program
    .command('verify')
    .description(
      '1:1 verification: L2 distance between the main faces of two images, and same or different at the default threshold.',
    )
    .argument('<imageA>')
    .argument('<imageB>')
    .option(
      '--threshold <t>',
      `L2 distance threshold (default ${DEFAULT_THRESHOLD}, calibrated at FAR = 1e-3)`,
      num('threshold'),
    )
    .option('--json', 'print a JSON object')
    .action(async (a: string, b: string, opts: { json?: boolean; threshold?: number }) => {
      const p = await pipeline();
      const fa = await p.mainFace(await readForDetection(a), a);
      const fb = await p.mainFace(await readForDetection(b), b);
      const distance = euclideanDistance(fa.embedding, fb.embedding);
      const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
      const same = distance <= threshold;
      if (opts.json) io.out(JSON.stringify({ imageA: a, imageB: b, distance: round(distance), threshold, same }));
      else io.out(`distance ${round(distance)} (threshold ${threshold}): ${same ? 'same person' : 'different people'}`);
      setExit(0);
    });

  // ---------------------------------------------------------------- emotion
  program
    .command('emotion')
    .description('Facial expression of every face (7 classes: angry, disgust, fear, happy, sad, surprise, neutral).')
    .option('--json', 'one JSON object per face per line')
    .option('--aligned', 'each image is an already-cropped face (no detection)')
    .argument('<image...>')
    .action(async (images: string[], opts: { json?: boolean; aligned?: boolean }) => {
      const classifier = opts.aligned ? await createEmotionClassifier() : undefined;
      const p = opts.aligned ? undefined : await pipeline(true);
      let failed = 0;
      for (const f of images) {
        try {
          const image = await readForDetection(f);
          const results = classifier
            ? [{ box: undefined, emotion: await classifier.classify(image) }]
            : (await p!.detector.detect(image, detectOptions())).map(async (face) => ({
                box: toSourcePixels(face, image).box,
                emotion: await p!.emotion!.classify(image, face),
              }));
          const resolved = await Promise.all(results);
          if (resolved.length === 0) throw new NoFaceError(f);
          for (const r of resolved) {
            const obj: Record<string, unknown> = {
              image: f,
              emotion: r.emotion.label,
              scores: mapRound(r.emotion.scores),
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
      setExit(failed > 0 ? 1 : 0);
    });

  // ---------------------------------------------------------------- lfw
  const lfw = program.command('lfw').description('Labeled Faces in the Wild tools.');
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
        const { pairs } = parsePairs(await fs.readFile(opts.pairs, 'utf8'), opts.pairs);
        let wanted = [...new Set(pairs.flatMap((x) => [x.a, x.b]))].sort();
        if (opts.rank1)
          wanted = [
            ...new Set([...wanted, ...(await listImages(opts.images)).map((f) => path.relative(opts.images, f))]),
          ].sort();
        const emb = new Map<string, Float32Array | null>();
        const bar = progress(io, wanted.length, 'lfw eval');
        const results = await analyseImages(
          wanted.map((rel) => path.join(opts.images, rel)),
          'main',
          { workers: opts.workers, onProgress: bar.tick, detect: detectOptions(), detector: detectorName() },
        );
        bar.stop();
        let missingFaces = 0;
        results.forEach((r, i) => {
          if (r.ok) emb.set(wanted[i], r.faces[0].embedding);
          else {
            emb.set(wanted[i], null);
            missingFaces++;
            io.err(`no embedding for ${wanted[i]}: ${r.code}: ${r.message}`);
          }
        });
        const scores: PairScore[] = pairs.map((x) => {
          const a = emb.get(x.a),
            b = emb.get(x.b);
          return { fold: x.fold, same: x.same, distance: a && b ? euclideanDistance(a, b) : null };
        });
        const result = evaluatePairs(scores, { missingFaces });
        const summary: Record<string, unknown> = {
          accuracy: round(result.accuracy, 5),
          accuracyStd: round(result.accuracyStd, 5),
          auc: round(result.auc, 5),
          tarAtFar1e3: round(result.tarAtFar1e3, 5),
          threshold: round(result.threshold, 4),
          pairs: result.pairs,
          missingFaces: result.missingFaces,
          refine: detectOptions().refine,
          detector: detectorName(),
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
          `pairs ${result.pairs}, images without a face ${missingFaces}, detector: ${detectorName()}, landmarks: ${landmarksName(detectorName(), detectOptions().refine)}`,
        );
        io.out(
          `10-fold accuracy ${(result.accuracy * 100).toFixed(2)} % ± ${(result.accuracyStd * 100).toFixed(2)}, AUC ${result.auc.toFixed(5)}, TAR ${(result.tarAtFar1e3 * 100).toFixed(2)} % at FAR = 1e-3, threshold ${result.threshold.toFixed(4)}`,
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
        setExit(0);
      },
    );
  lfw
    .command('filter')
    .description(
      'Copy the people with at least <n> images into <out> (LFW layout: <Name>/<Name>_NNNN.jpg), e.g. the LFW people with 10 or more.',
    )
    .requiredOption('--images <dir>', 'LFW-layout folder')
    .requiredOption('--min <n>', 'minimum images per person', int('min'))
    .requiredOption('--out <dir>', 'output folder')
    .action(async (opts: { images: string; min: number; out: string }) => {
      const r = await copyFilteredPeople(opts.images, opts.min, opts.out);
      io.out(`copied ${r.people} people, ${r.images} images with at least ${opts.min} images each -> ${opts.out}`);
      setExit(0);
    });

  // ---------------------------------------------------------------- check
  program
    .command('check')
    .description(
      'Consistency of an embedding NPY + CSV pair (and image folder): row counts, images present, dimension, finite unit-norm rows; or of a gallery folder (--gallery: its files open consistently and every stored row is a finite unit vector). Exit code 0 only when consistent.',
    )
    .option('--npy <file>')
    .option('--csv <file>')
    .option('--images <dir>', "folder the CSV's images should be in")
    .option('--gallery <dir>', 'check a gallery folder instead of an NPY + CSV pair')
    .action(async (opts: { npy?: string; csv?: string; images?: string; gallery?: string }) => {
      if (opts.gallery) {
        const { mkdtemp, rm } = await import('node:fs/promises');
        const { tmpdir } = await import('node:os');
        const tmp = await mkdtemp(path.join(tmpdir(), 'eolgul-check-'));
        try {
          let g: Gallery;
          try {
            g = await Gallery.open(opts.gallery, {});
          } catch (err) {
            io.out(`gallery ${opts.gallery}: INCONSISTENT`);
            io.err(`problem: ${reasonOf(err)}`);
            setExit(1);
            return;
          }
          try {
            await g.exportPair(path.join(tmp, 'g.npy'), path.join(tmp, 'g.csv'));
            const r = await checkEmbeddings({ npy: path.join(tmp, 'g.npy'), csv: path.join(tmp, 'g.csv') });
            io.out(
              `gallery ${opts.gallery}: ${g.identities().length} identities, ${r.rows} embeddings, dimension ${r.dimension}, model ${g.modelId}: ${r.ok ? 'consistent' : 'INCONSISTENT'}`,
            );
            for (const p of r.problems) io.err(`problem: ${p}`);
            setExit(r.ok ? 0 : 1);
          } finally {
            await g.close();
          }
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
        return;
      }
      if (!opts.npy || !opts.csv) throw new CommanderArgError('check needs --npy and --csv, or --gallery');
      const r = await checkEmbeddings({ npy: opts.npy, csv: opts.csv, images: opts.images });
      io.out(
        `rows ${r.rows} (npy), ${r.csvRows} (csv), dimension ${r.dimension}: ${r.ok ? 'consistent' : 'INCONSISTENT'}`,
      );
      for (const p of r.problems) io.err(`problem: ${p}`);
      setExit(r.ok ? 0 : 1);
    });

  // ---------------------------------------------------------------- gallery
  const gallery = program.command('gallery').description('Manage a gallery folder.');
  const openGallery = async (dir: string) => {
    await requireGalleryDir(dir);
    return Gallery.open(dir, {});
  };
  gallery
    .command('list')
    .requiredOption('--gallery <dir>')
    .option('--json')
    .description(
      'Identities, embedding count, dimension, model, default threshold and how the faces were aligned (the flags enroll recorded).',
    )
    .action(async (opts: { gallery: string; json?: boolean }) => {
      const g = await openGallery(opts.gallery);
      try {
        const names = g.identities();
        const preprocess = g.manifest.preprocess ?? null;
        if (opts.json)
          io.out(
            JSON.stringify({
              identities: names,
              size: g.size,
              dimension: g.dimension,
              modelId: g.modelId,
              threshold: g.defaultThreshold,
              preprocess,
            }),
          );
        else {
          const aligned = preprocess === null ? 'alignment not recorded' : `aligned with ${pointsFlags(preprocess)}`;
          io.out(
            `${names.length} identities, ${g.size} embeddings, D=${g.dimension}, model ${g.modelId}, threshold ${g.defaultThreshold}, ${aligned}`,
          );
          for (const n of names) io.out(n);
        }
      } finally {
        await g.close();
      }
      setExit(0);
    });
  gallery
    .command('remove')
    .requiredOption('--gallery <dir>')
    .argument('<identityOrImage>')
    .option('--image', 'the argument is an enrolled image id')
    .option('--identity', 'the argument is an identity name')
    .description(
      'Remove an identity, or one enrolled image by its id (a string that is both must be told apart with --image or --identity).',
    )
    .action(async (id: string, opts: { gallery: string; image?: boolean; identity?: boolean }) => {
      if (opts.image && opts.identity)
        throw new EolgulError('INVALID_ARGUMENT', '--image and --identity exclude each other');
      const g = await openGallery(opts.gallery);
      try {
        io.out(
          `removed ${await g.remove(id, { kind: opts.image ? 'image' : opts.identity ? 'identity' : undefined })} embedding(s)`,
        );
      } finally {
        await g.close();
      }
      setExit(0);
    });
  gallery
    .command('rename')
    .requiredOption('--gallery <dir>')
    .description('Rename an identity (renaming onto an existing name merges the two).')
    .argument('<old>')
    .argument('<new>')
    .action(async (oldName: string, newName: string, opts: { gallery: string }) => {
      const g = await openGallery(opts.gallery);
      try {
        await g.rename(oldName, newName);
        io.out(`renamed ${JSON.stringify(oldName)} to ${JSON.stringify(newName)}`);
      } finally {
        await g.close();
      }
      setExit(0);
    });
  gallery
    .command('export')
    .requiredOption('--gallery <dir>')
    .description(
      'Export the gallery as an NPY + CSV pair: <prefix>.npy float32 [N, D], <prefix>.csv (image,category), and <prefix>.identities.csv (category,name).',
    )
    .requiredOption('--out <prefix>', 'writes <prefix>.npy, <prefix>.csv and <prefix>.identities.csv')
    .action(async (opts: { gallery: string; out: string }) => {
      const rel = path.relative(path.resolve(opts.gallery), path.resolve(path.dirname(opts.out)));
      if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
        throw new EolgulError(
          'INVALID_ARGUMENT',
          `--out ${opts.out} is inside the gallery folder ${opts.gallery}; export elsewhere`,
        );
      }
      const g = await openGallery(opts.gallery);
      try {
        await g.exportPair(`${opts.out}.npy`, `${opts.out}.csv`);
        io.out(`exported ${g.size} embeddings -> ${opts.out}.npy, ${opts.out}.csv`);
      } finally {
        await g.close();
      }
      setExit(0);
    });
  gallery
    .command('import')
    .requiredOption('--gallery <dir>')
    .description(
      'Create or extend a gallery from an NPY + CSV pair (float32 [N, D] + image,category; the names come from <csv name>.identities.csv when it exists, as `gallery export` writes it, else from the image names <Name>_<k>.jpg).',
    )
    .requiredOption('--npy <file>')
    .requiredOption('--csv <file>')
    .addOption(
      new Option('--model-id <id>', 'embedding model the vectors come from').default('faceplugin-fr_feature-512'),
    )
    .option('--threshold <t>', 'default threshold stored with the gallery', num('threshold'))
    .action(async (opts: { gallery: string; npy: string; csv: string; modelId: string; threshold?: number }) => {
      // The size before, so that the count printed is the rows imported, not the gallery's total.
      const existing = (await fs.stat(path.join(opts.gallery, 'manifest.json')).catch(() => undefined))
        ? await Gallery.open(opts.gallery, {})
        : undefined;
      const sizeBefore = existing?.size ?? 0;
      await existing?.close();
      const g = await Gallery.importPair(opts.gallery, opts.npy, opts.csv, {
        create: true,
        modelId: opts.modelId,
        defaultThreshold: opts.threshold ?? DEFAULT_THRESHOLD,
      });
      try {
        if (!existing)
          io.out(`imported ${g.size} embeddings of ${g.identities().length} identities into ${opts.gallery}`);
        else
          io.out(
            `imported ${g.size - sizeBefore} embeddings into ${opts.gallery}, which now holds ${g.size} embeddings of ${g.identities().length} identities`,
          );
        // The pair holds no record of how its faces were aligned, but this gallery does: it now vouches for rows it cannot check.
        const stored = g.manifest.preprocess;
        if (stored !== undefined) {
          io.err(
            `warning: ${opts.npy} carries no record of how its faces were aligned, and gallery ${opts.gallery} records ${pointsFlags(stored)} (preprocess ${JSON.stringify(stored)}): distances to the imported rows hold only if they were made with those flags`,
          );
        }
      } finally {
        await g.close();
      }
      setExit(0);
    });

  program.hook('postAction', async () => {
    if (pipelinePromise) await (await pipelinePromise).dispose();
    pipelinePromise = undefined;
  });
  return program;
}

/** The version of @eolgul/cli (from its package.json). */
function cliVersion(): string {
  try {
    return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Refuses a gallery path that does not exist with a message that says how galleries are made (Gallery.open would call it
 * a corrupt gallery without a manifest). An existing folder goes on to Gallery.open, which judges its contents.
 * @throws {InvalidArgumentError} `dir` does not exist.
 */
async function requireGalleryDir(dir: string): Promise<void> {
  if (!(await fs.stat(dir).catch(() => undefined))) {
    throw new InvalidArgumentError(
      `no gallery at ${dir} (no such folder); \`eolgul enroll --gallery ${dir} --name <name> <image...>\` creates one, \`eolgul gallery import\` makes one from an NPY + CSV pair`,
    );
  }
}

/** The flags that give each set of 5 points a gallery's `preprocess` records (the part after ", 5 points "). */
const POINTS_FLAGS: Record<string, string> = {
  'fr_detect+onet': '--detector fr_detect --refine onet, the defaults',
  'fr_detect+68': '--refine none',
  mtcnn: '--detector mtcnn',
  'fr_detect+mesh': '--refine mesh',
  'mtcnn+mesh': '--detector mtcnn --refine mesh',
};
const POINTS_MARK = ', 5 points ';

/** The CLI flags that give the points recorded in `preprocess`, for messages. */
function pointsFlags(preprocess: string): string {
  const i = preprocess.indexOf(POINTS_MARK);
  const points = i < 0 ? undefined : preprocess.slice(i + POINTS_MARK.length);
  return points === undefined
    ? `preprocess ${JSON.stringify(preprocess)}`
    : (POINTS_FLAGS[points] ?? `points ${JSON.stringify(points)}, not one of the CLI's`);
}

/**
 * The GALLERY_MISMATCH of a gallery aligned with other points than this run's, with what to do: the flags that match
 * the gallery, or, for a gallery enrolled before the CLI recorded its points (preprocess without ", 5 points"), how to
 * rebuild or label it.
 */
function pointsMismatch(
  dir: string,
  stored: string,
  wanted: string,
  command: 'enroll' | 'identify' | 'watch',
): GalleryMismatchError {
  const err = new GalleryMismatchError('preprocess', stored, wanted);
  const pixels = wanted.slice(0, wanted.indexOf(POINTS_MARK));
  const why = "one face's embedding moves between alignments, and the threshold was calibrated for one of them";
  if (stored === pixels) {
    err.message =
      `gallery ${dir} was enrolled before eolgul recorded its alignment points in the gallery (preprocess ${JSON.stringify(stored)}): ` +
      `its faces may have the points of that version's default (--refine none), of --refine mesh or of --detector mtcnn, and this run uses ${pointsFlags(wanted)}; ${why}. ` +
      `Enroll the images again into a new gallery (eolgul enroll --gallery <new dir> ...). If you know it was enrolled with that version's default, ` +
      `set "preprocess" to ${JSON.stringify(`${pixels}${POINTS_MARK}fr_detect+68`)} in ${path.join(dir, 'manifest.json')} and run ${command} with --refine none.`;
  } else {
    const fix =
      stored.startsWith(pixels + POINTS_MARK) && POINTS_FLAGS[stored.slice(pixels.length + POINTS_MARK.length)]
        ? `Run ${command} with ${POINTS_FLAGS[stored.slice(pixels.length + POINTS_MARK.length)].replace(', the defaults', '')}, or `
        : '';
    const storedDesc = stored.includes(POINTS_MARK)
      ? `${pointsFlags(stored)} (preprocess ${JSON.stringify(stored)})`
      : `preprocess ${JSON.stringify(stored)}`;
    err.message =
      `gallery ${dir} was enrolled with ${storedDesc}, this run uses ${pointsFlags(wanted)} (${JSON.stringify(wanted)}); ${why}. ` +
      `${fix}${fix ? 'enroll' : 'Enroll'} the images ${command === 'enroll' ? 'into another gallery' : 'again into a new gallery'} with this run's flags.`;
  }
  return err;
}

/** What `identify` and `watch` print for one face: box, identity (null = unknown), L2 distance, emotion. */
function faceAnswer(gallery: Gallery, face: AnalysedFace, threshold: number) {
  const [m] = gallery.identify(face.embedding, { threshold, k: 1 });
  return {
    box: face.box,
    identity: m?.accepted ? m.identity : null,
    distance: m ? round(m.distance) : null,
    emotion: face.emotion?.label ?? null,
    emotionScore: face.emotion ? round(face.emotion.score, 3) : null,
  };
}

function mapRound(scores: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, round(v, 4)]));
}

/**
 * Runs the CLI with the given arguments (without `node` and the script name) and resolves with the exit code:
 * 0 success, 1 some input failed, 2 usage or fatal error. Errors are printed to stderr, never thrown.
 */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<ExitCode> {
  let code: ExitCode = 0;
  const program = buildProgram(io, (c) => (code = c));
  program.exitOverride();
  for (const c of program.commands) {
    c.exitOverride();
    for (const s of c.commands) s.exitOverride();
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : 2;
    }
    io.err(`error: ${reasonOf(err)}`);
    return 2;
  }
}
