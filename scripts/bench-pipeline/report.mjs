// The Markdown of docs/benchmarks/pipeline.md from the results of scripts/bench-pipeline.mjs.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { benchCommit, packageVersion } from '../lib/bench-meta.mjs';

/** The goals of the issue this benchmark answers (ten times the faster peer per core, 200 images/s, the LFW bar). */
export const GOALS = Object.freeze({
  perCoreRatio: 10,
  embedImagesPerSecond: 200,
  /** int8 against FP32 on the LFW pairs: accuracy and TAR at FAR = 1e-3 within these (fractions, not points). */
  accuracyDrop: 0.0005,
  tarDrop: 0.002,
});

const f = (x, d = 1) => (x == null || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const pct = (x, d = 2) => (x == null ? 'n/a' : `${(x * 100).toFixed(d)} %`);
const la = (a) => (a ? a.map((l) => l.toFixed(2)).join(' ') : 'n/a');
const STAGES = ['decode', 'detect', 'landmarks', 'align', 'embed'];

/**
 * @param {object[]} results one object per run (see the runners), `failed` set when the run failed
 * @param {{ root: string, n: number, total: number, rel: string[], selectionHash: string, workers: number,
 *   maxLoad: number, waitS: number, quick: boolean, lfwPairs: number, precisions: string[] }} run
 * @returns {string}
 */
export function pipelineReport(results, run) {
  const { root, n, workers, precisions } = run;
  const pick = (library, precision) =>
    results.find((r) => r.library === library && (precision === undefined || r.precision === precision));
  const ok = (library, precision) => {
    const r = pick(library, precision);
    return r && !r.failed ? r : undefined;
  };
  const peers = ['face-api', 'human'].map((l) => ok(l)).filter(Boolean);
  const fasterPeer = [...peers].sort((a, b) => b.imagesPerSecond - a.imagesPerSecond)[0];
  const ratio = (r) => (r && fasterPeer ? r.imagesPerSecond / fasterPeer.imagesPerSecond : undefined);
  const met = (yes) => (yes === undefined ? 'n/a' : yes ? '**met**' : '**not met**');
  const pkg = (p) => JSON.parse(readFileSync(join(root, 'packages', p, 'package.json'), 'utf8')).version;
  const commit = benchCommit(root);
  const cpus = os.cpus();
  const now = new Date();
  const names = {
    'eolgul-frontdoor': (p) => `eolgul ${p}, \`createFaceRecognizer({ threads: 1, precision: '${p}' }).analyse\``,
    'face-api': () => `@vladmandic/face-api ${packageVersion('@vladmandic/face-api', root)} (wasm)`,
    human: () => `@vladmandic/human ${packageVersion('@vladmandic/human', root)} (wasm)`,
    'eolgul-frontdoor-pool': (p) => `eolgul ${p}, \`createFaceRecognizer({ workers: ${workers}, precision: '${p}' })\``,
    'eolgul-side-by-side': (p) =>
      `${workers} × eolgul ${p} one-thread front door side by side (${workers} × ${n} images), main face, timed after the model loads (the ceiling)`,
    'eolgul-cli': (p) =>
      `\`eolgul${p === 'fp32' ? '' : ` --precision ${p}`} embed --workers ${workers}\` (whole command)`,
  };
  const failedRow = (r, cols) =>
    `| ${names[r.library]?.(r.precision) ?? r.library} | failed: ${r.failed} ${'|'.repeat(cols)}`;

  const singleRuns = [...precisions.map((p) => pick('eolgul-frontdoor', p)), pick('face-api'), pick('human')].filter(
    Boolean,
  );
  const single = singleRuns.map((r) =>
    r.failed
      ? failedRow(r, 11)
      : `| ${names[r.library](r.precision)} | **${f(r.imagesPerSecond, 2)}** | ${r.library.startsWith('eolgul') && fasterPeer ? `${f(ratio(r))}×` : ''} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.cpuMsPerImage)} | ${f(r.loadMs, 0)} | ${f(r.warmupMs, 0)} | ${f(r.maxRssMiB, 0)} | ${r.faces} / ${r.imagesWithFace} | ${r.descriptorLength} | ${la(r.loadavgStart)} → ${la(r.loadavgEnd)} |`,
  );

  const stageRuns = precisions.map((p) => ok('eolgul-stages', p));
  const stageHead = precisions.map((p) => `${p} ms / image`).join(' | ');
  const [sf, si] = [ok('eolgul-stages', 'fp32'), ok('eolgul-stages', 'int8')];
  const stageRatio = Boolean(sf && si);
  const stageRow = (label, get) =>
    `| ${label} | ${stageRuns.map((r) => (r ? f(get(r), 2) : 'n/a')).join(' | ')} |${stageRatio ? ` ${f(get(sf) / get(si), 2)}× |` : ''}`;
  const stages = [
    ...STAGES.map((s) => stageRow(s, (r) => r.stageMs[s])),
    stageRow('**pipeline** (sum)', (r) => STAGES.reduce((t, s) => t + r.stageMs[s], 0)),
  ];
  const stageFailures = precisions
    .map((p) => pick('eolgul-stages', p))
    .filter((r) => r?.failed)
    .map((r) => `- ${r.precision}: failed: ${r.failed}`);

  // Model inference alone: CPU per call of each model × calls per image of the default pipeline (one detector call;
  // per face, RNet once, ONet twice, the embedder once), against the whole pipeline's CPU per image.
  const mr = ok('eolgul-models');
  const modelRows = [];
  if (mr) {
    for (const p of precisions) {
      const door = ok('eolgul-frontdoor', p);
      const perFace = door ? door.faces / door.images : undefined;
      const det = mr.models[p === 'int8' && mr.models['detector-int8'] ? 'detector-int8' : 'rfb320'];
      const emb = mr.models[p === 'int8' ? 'embedder-int8' : 'embedder'];
      const rnet = mr.models['mtcnn-rnet'],
        onet = mr.models['mtcnn-onet'];
      if (!det || !emb || !rnet || !onet || perFace === undefined) continue;
      const perImage = det.cpuMsPerCall + perFace * (rnet.cpuMsPerCall + 2 * onet.cpuMsPerCall + emb.cpuMsPerCall);
      const share = `${f((100 * perImage) / door.cpuMsPerImage, 0)} %`;
      modelRows.push(
        `| ${p} | ${f(det.cpuMsPerCall, 2)} (${det.file}) | ${f(rnet.cpuMsPerCall, 2)} | ${f(onet.cpuMsPerCall, 2)} | ${f(emb.cpuMsPerCall, 2)} (${emb.file}) | ${f(perFace, 2)} | **${f(perImage, 2)}** | ${f(door.cpuMsPerImage, 2)} | ${share} | ${f(1000 / perImage, 0)} / ${f((workers * 1000) / perImage, 0)} |`,
      );
    }
  }

  const multi = precisions
    .flatMap((p) => [pick('eolgul-cli', p), pick('eolgul-frontdoor-pool', p), pick('eolgul-side-by-side', p)])
    .filter(Boolean)
    .map((r) =>
      r.failed
        ? failedRow(r, 5)
        : `| ${names[r.library](r.precision)} | **${f(r.imagesPerSecond, 2)}** | ${f(r.wallMs / 1000, 2)} | ${f(r.cpuMsPerImage)} | ${f(r.maxRssMiB, 0)} | ${la(r.loadavgBefore)} → ${la(r.loadavgEnd)} |`,
    );

  const lfwRuns = precisions.map((p) => pick('eolgul-lfw', p)).filter(Boolean);
  const lfw = lfwRuns.map((r) =>
    r.failed
      ? `| ${r.precision} | failed: ${r.failed} |||||||`
      : `| ${r.precision} (reported: ${r.ran}) | **${pct(r.accuracy)}** ± ${f(r.accuracyStd * 100, 2)} | ${pct(r.tarAtFar1e3)} | ${f(r.auc, 5)} | ${f(r.threshold, 4)} | ${r.missingFaces} | ${r.pairs} | ${f(r.wallMs / 1000, 0)} |`,
  );
  const lf = ok('eolgul-lfw', 'fp32'),
    li = ok('eolgul-lfw', 'int8');
  const lfwBar =
    lf && li
      ? li.accuracy >= lf.accuracy - GOALS.accuracyDrop &&
        li.tarAtFar1e3 >= lf.tarAtFar1e3 - GOALS.tarDrop &&
        li.missingFaces === 0
      : undefined;

  const doors = precisions.map((p) => ok('eolgul-frontdoor', p)).filter(Boolean);
  const bestDoor = [...doors].sort((a, b) => b.imagesPerSecond - a.imagesPerSecond)[0];
  const clis = precisions.map((p) => ok('eolgul-cli', p)).filter(Boolean);
  const bestCli = [...clis].sort((a, b) => b.imagesPerSecond - a.imagesPerSecond)[0];
  const sides = precisions.map((p) => ok('eolgul-side-by-side', p)).filter(Boolean);
  const bestSide = [...sides].sort((a, b) => b.imagesPerSecond - a.imagesPerSecond)[0];
  const busy = results.filter((r) => r.loadavgBefore && r.loadavgBefore[0] > run.maxLoad);

  return `# Pipeline speed: eolgul (FP32 and int8) beside face-api and Human

Measured by \`pnpm bench:pipeline\` (\`scripts/bench-pipeline.mjs\`${run.quick ? ' --quick: a check run, not the benchmark' : ''}) on ${now.toISOString().slice(0, 10)} (${now.toISOString()}), commit ${commit}.

**Machine:** ${cpus.length} logical cores (os.availableParallelism() = ${os.availableParallelism()}), ${cpus[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, no GPU.
Node ${process.version}. eolgul ${pkg('eolgul')}, @eolgul/cli ${pkg('cli')}; onnxruntime-node ${packageVersion('onnxruntime-node', join(root, 'packages', 'runtime'))}, sharp ${packageVersion('sharp', join(root, 'packages', 'detector'))};
@vladmandic/face-api ${packageVersion('@vladmandic/face-api', root)}, @vladmandic/human ${packageVersion('@vladmandic/human', root)},
@tensorflow/tfjs ${packageVersion('@tensorflow/tfjs', root)}, @tensorflow/tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm', join(root, 'packages', 'runtime'))}.

**Images:** ${n} of the ${run.total} images of \`../shared/data/lfw-subset/images\` (250×250 JPEG): all files sorted by
\`<Name>/<file>\`, then indices ⌊i · ${run.total} / ${n}⌋ for i = 0 … ${n - 1}; SHA-256 of the newline-joined names
\`${run.selectionHash}\` (first ${run.rel[0]}, last ${run.rel[n - 1]}).

**Work per image, every library:** decode the JPEG, find every face, its landmarks and its face descriptor
(emotion, age, gender, iris, anti-spoofing off). The peers get the pixels from sharp; eolgul decodes the file itself
(\`readImage\`: these plain JPEGs in its own thread by libjpeg-turbo in WebAssembly, the same pixels as sharp's).
- eolgul, through the front door: \`createFaceRecognizer({ threads: 1, precision }).analyse(path)\` (its gallery empty):
  RFB-320 boxes (\`fr_detect.onnx\`) → MTCNN RNet + ONet 5 points → Umeyama alignment to 112 px → the 512-d embedder,
  \`fr_feature.onnx\` (FP32) or \`fr_feature.int8.onnx\` (int8, made by the models build), all on ONNX Runtime with
  1 intra-op thread. Only the embedder differs between the precisions.
- face-api: its Node wasm build, SSD MobileNet v1 (minConfidence 0.5, its default detector) → 68 landmarks → 128-d descriptor,
  \`detectAllFaces(tensor).withFaceLandmarks().withFaceDescriptors()\`.
- Human: its Node wasm build, BlazeFace (maxDetected 20) → FaceMesh (468 points) → FaceRes descriptor (1024-d); result cache
  off (\`cacheSensitivity: 0\`), image filters off; models served to it over HTTP on 127.0.0.1 (its wasm build cannot read \`file://\`).

Each library runs in its own child process with one thread of inference (tfjs-backend-wasm has no threads in Node) and
libvips limited to one thread (\`VIPS_CONCURRENCY=1\`). Model load = from the runner's import of the library to models
ready (backend init included, Node start excluded); then one warm-up call on the first image, then the ${n} images timed
one by one. *CPU ms / image* is user + system CPU time of the whole process divided by the images: the machine is
shared with other work, and CPU time is far less sensitive to that than wall-clock time. *Load avg* is
\`os.loadavg()\` (1, 5, 15 min) on ${os.availableParallelism()} cores (the run being measured counts for about 1 of it): each run waited (up to ${run.waitS} s) for the 1-minute load
average to fall to ${run.maxLoad}${
    busy.length
      ? `; **${busy.map((r) => `${r.library}${r.precision ? ` ${r.precision}` : ''}`).join(', ')} started on a busier machine** (the wait ran out), so their wall-clock figures are pessimistic and the CPU column is the fairer comparison`
      : ', and every run started at or below it'
  }.

## One thread each

| library | images / s | × faster peer | ms / image p50 | p95 | CPU ms / image | model load (ms) | warm-up (ms) | peak RSS (MiB) | faces / images with a face | descriptor | load avg start → end |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${single.join('\n')}

## Where eolgul's time goes, per stage (one thread)

Mean wall-clock milliseconds per image over the same ${n} images, each stage timed on its own: the packages composed by
hand (\`scripts/bench-pipeline/run-eolgul-stages.mjs\`: \`readImage\` → \`detect\` → \`alignFace\` → \`embedBatch\`), since
the front door has no per-stage clock. *landmarks* is MTCNN's RNet + ONet on the detector's boxes, run a second time
outside \`detect()\` to time it; *detect* is \`detect()\` minus that.

| stage | ${stageHead} |${stageRatio ? ' FP32 / int8 |' : ''}
| --- | ${precisions.map(() => '---:').join(' | ')} |${stageRatio ? ' ---: |' : ''}
${stages.join('\n')}
${stageFailures.join('\n')}

## Model inference alone (one thread)

CPU milliseconds per call of each ONNX model called alone in one process (\`scripts/bench-pipeline/run-eolgul-models.mjs\`:
onnxruntime-node, 1 intra-op thread, optimisation 'all', inputs made from ${mr?.images ?? 'n/a'} of the images, median of
${mr?.rounds ?? 'n/a'} rounds that alternate the models), times the calls of one image in the default pipeline (the
detector once; per face RNet once, ONet twice, the embedder once; faces per image from the front-door run above). That
sum is what model inference alone costs per image, a floor under the pipeline's CPU time; its inverse bounds the images
per second of one core, and of ${workers} cores with nothing else running.

| precision | detector | RNet | ONet | embedder | faces / image | models, ms / image | pipeline CPU ms / image | models' share | models-only bound, images / s (1 core / ${workers}) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${modelRows.join('\n') || '| n/a |||||||||'}

## eolgul on every core

| run | images / s | wall (s) | CPU ms / image | peak RSS (MiB) | load avg before → end |
| --- | ---: | ---: | ---: | ---: | --- |
${multi.join('\n')}

The \`eolgul embed\` time runs from spawning the command to its exit (Node start, workers, models, every image, NPY +
CSV writes); the front-door pool time from the call that creates the recognizer to the last answer. Both use the main
face of each image (detection retried at score 0.2 when none is found). _Side by side_ is the ceiling of that work on
${workers} cores: ${workers} processes, each a one-thread front door (\`run-eolgul-frontdoor.mjs\`, \`analyse(path, { mainFace: true })\`)
over all ${n} images, started together and timed from the same moment after their model loads and warm-up, so no
worker pool, Node start, model load or output file counts; its images/s is all their images over the longest one's time,
its peak RSS that of the larger process.

## LFW accuracy of each precision

\`eolgul [--precision int8] lfw eval --images ../shared/data/lfw-subset/images --pairs …/pairs.txt --workers ${workers}\`:
${run.lfwPairs >= 300 ? 'the 6000 View-2 pairs (10 folds of 300 matched + 300 mismatched)' : `the first ${run.lfwPairs} matched and ${run.lfwPairs} mismatched pairs of each of the 10 folds (a quick run: not comparable with the full figures)`};
threshold chosen on 9 folds and tested on the 10th; a pair with a missing face counts as wrong. *Reported* is the
precision the command printed that it ran.

| precision | accuracy (10-fold) | TAR at FAR = 1e-3 | AUC | mean threshold (L2) | images without a face | pairs | wall (s) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${lfw.join('\n')}

## Against the goals

Faster peer on this run: ${fasterPeer ? `${names[fasterPeer.library]()}, ${f(fasterPeer.imagesPerSecond, 2)} images/s` : 'n/a'}.
- Per core, eolgul on one thread ≥ ${GOALS.perCoreRatio}× the faster peer on one thread: ${doors.map((r) => `${r.precision} ${f(ratio(r))}×`).join(', ') || 'n/a'} — ${met(bestDoor && fasterPeer ? ratio(bestDoor) >= GOALS.perCoreRatio : undefined)}${fasterPeer && doors.length ? ` (in CPU time per image, which load disturbs less: ${doors.map((r) => `${r.precision} ${f(fasterPeer.cpuMsPerImage / r.cpuMsPerImage)}×`).join(', ')})` : ''}.
- \`eolgul embed --workers ${workers}\` ≥ ${GOALS.embedImagesPerSecond} images/s end to end on ${n} images: ${clis.map((r) => `${r.precision} ${f(r.imagesPerSecond)}`).join(', ') || 'n/a'} — ${met(bestCli ? bestCli.imagesPerSecond >= GOALS.embedImagesPerSecond : undefined)}${n === 500 ? '' : ` (on ${n} images, not the 500 of the goal: Node start and model loads weigh more)`}${bestSide ? `; the ceiling of the same work per image on ${workers} cores (side by side, above: no pool, no Node start, no model load) is ${sides.map((r) => `${r.precision} ${f(r.imagesPerSecond)}`).join(', ')} images/s (${bestSide.precision}: ${f(bestSide.cpuMsPerImage, 2)} ms of CPU per image)` : ''}.
- int8 on LFW within ${GOALS.accuracyDrop * 100} pt of FP32's accuracy, within ${GOALS.tarDrop * 100} pt of its TAR at FAR = 1e-3, no face missed: ${li && lf ? `accuracy ${f((li.accuracy - lf.accuracy) * 100, 2)} pt, TAR ${f((li.tarAtFar1e3 - lf.tarAtFar1e3) * 100, 2)} pt, ${li.missingFaces} missed` : 'n/a'} — ${met(lfwBar)}.
`;
}
