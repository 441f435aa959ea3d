#!/usr/bin/env node
// The enrollment quality gate measured: what it refuses on the LFW dev set and why, 1:N rank-1 with and without it,
// and the measurements its limits come from (sharpness of sharp and blurred faces, embedding distances of a still
// person's webcam frames against different photos of one person). Writes docs/benchmarks/quality.md.
//
//   pnpm bench:quality    (= turbo run build && node scripts/bench-quality.mjs [--lfw DIR] [--nuaa DIR] [--out FILE]
//                          [--cache FILE])
// --cache keeps the per-image measurements (JSON, outside the repository) so the rules can be re-applied without
// running the models again.
//
// Every LFW image goes through the front door (createFaceRecognizer: detection, 5 points, embedding), then the
// attribute estimator (pose, eyes) and faceSharpness on its main face. Rank-1: per person, the enrollment candidates
// are the first 8 photos (file-name order) and the probes every later photo (the same probes for both runs); without
// the gate the first 5 candidates are enrolled (main face), with it the first 5 candidates that pass the gate, each
// checked against those already accepted (near-duplicates). Identification: nearest per-identity mean template.
// The research images are read here, never copied.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import os from 'node:os';
import sharp from 'sharp';
import { cliOptions, largestFace, readLabels, requireBuilt, root } from './lib/bench-faces.mjs';
import { writeBenchmarkDoc } from './lib/write-doc.mjs';

const opt = cliOptions();
const lfwDir = resolve(opt('lfw', join(root, '..', 'shared', 'data', 'lfw-subset', 'images')));
const nuaaDir = resolve(opt('nuaa', join(root, '..', 'shared', 'data', 'liveness-nuaa-dev')));
const outFile = resolve(opt('out', join(root, 'docs', 'benchmarks', 'quality.md')));
const maxPeople = Number(opt('people', '0')) || Infinity;
const cacheFile = opt('cache', '');
requireBuilt(['eolgul', 'attributes']);
const { createFaceRecognizer } = await import('eolgul');
const { readImage } = await import('eolgul/node');
const { createAttributeEstimator, checkEnrollmentQuality, faceSharpness, DEFAULT_QUALITY_RULES } = await import(
  '@eolgul/attributes'
);

const recognizer = await createFaceRecognizer();
const attributes = await createAttributeEstimator();
const quantile = (a, q) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const l2 = (a, b) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};
/** The face whose box holds the image centre (the largest such), else the nearest to it (eolgul's main-face rule). */
function mainFace(faces, width, height) {
  const cx = width / 2,
    cy = height / 2;
  const holding = faces.filter(({ box: [x, y, w, h] }) => cx >= x && cx <= x + w && cy >= y && cy <= y + h);
  if (holding.length) return holding.reduce((a, b) => (b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a));
  const d = ({ box: [x, y, w, h] }) => Math.hypot(x + w / 2 - cx, y + h / 2 - cy);
  return faces.reduce((a, b) => (d(b) < d(a) ? b : a), faces[0]);
}

/** Everything the gate reads about one image's main face. */
async function measure(image) {
  const { faces } = await recognizer.analyse(image);
  if (!faces.length) return { faceCount: 0 };
  const face = mainFace(faces, image.width, image.height);
  const a = await attributes.estimate(image, face);
  return {
    faceCount: faces.length,
    face: { box: face.box, landmarks: face.landmarks },
    sharpness: faceSharpness(image, face),
    attributes: { pose: a.pose, eyes: a.eyes },
    embedding: face.embedding,
  };
}

// ---------- measurements (or the cache of an earlier run) ----------
const people = readdirSync(lfwDir).sort().slice(0, maxPeople);
let lfw, blurred, stillDistances, blurCount;
const blurSigmas = [1, 2, 3];
if (cacheFile && existsSync(cacheFile)) {
  const c = JSON.parse(readFileSync(cacheFile, 'utf8'));
  lfw = c.lfw.map((x) => ({ ...x, embedding: x.embedding && Float32Array.from(x.embedding) }));
  ({ blurred, stillDistances, blurCount } = c);
  console.log(`measurements from ${cacheFile}`);
} else {
  lfw = [];
  let done = 0;
  for (const person of people) {
    const files = readdirSync(join(lfwDir, person)).sort();
    for (const [index, file] of files.entries()) {
      const image = await readImage(join(lfwDir, person, file));
      lfw.push({ person, index, file, ...(await measure(image)) });
      if (++done % 250 === 0) console.log(`${done} LFW images`);
    }
  }
  console.log(`${lfw.length} LFW images of ${people.length} people`);

  // ---------- sharpness of blurred copies ----------
  const blurSample = lfw.filter((x) => x.faceCount && x.index === 0);
  blurred = Object.fromEntries(blurSigmas.map((s) => [s, []]));
  for (const x of blurSample) {
    for (const s of blurSigmas) {
      const { data, info } = await sharp(join(lfwDir, x.person, x.file))
        .blur(s)
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      blurred[s].push(faceSharpness({ data: new Uint8Array(data), width: info.width, height: info.height }, x.face));
    }
  }

  // ---------- near-duplicates: a still person's webcam frames vs different photos ----------
  const nuaa = readLabels(join(nuaaDir, 'labels.csv')).filter((r) => r.label === 'live');
  const stillEmb = new Map();
  for (const { file, subject, session } of nuaa) {
    const image = await readImage(join(nuaaDir, file));
    const { faces } = await recognizer.analyse(image);
    if (!faces.length) continue;
    const face = largestFace(faces);
    const key = `${subject}/${session}`;
    if (!stillEmb.has(key)) stillEmb.set(key, []);
    stillEmb.get(key).push(face.embedding);
  }
  stillDistances = [];
  for (const list of stillEmb.values())
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) stillDistances.push(l2(list[i], list[j]));
  blurCount = blurSample.length;
  if (cacheFile)
    writeFileSync(
      cacheFile,
      JSON.stringify({
        lfw: lfw.map((x) => ({ ...x, embedding: x.embedding && Array.from(x.embedding) })),
        blurred,
        stillDistances,
        blurCount,
      }),
    );
}
const photoDistances = [];
const byPerson = new Map();
for (const x of lfw) if (x.embedding) (byPerson.get(x.person) ?? byPerson.set(x.person, []).get(x.person)).push(x);
for (const list of byPerson.values())
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++) photoDistances.push(l2(list[i].embedding, list[j].embedding));

// ---------- the gate on every LFW image ----------
const reasons = {};
let refused = 0;
for (const x of lfw) {
  x.problems = checkEnrollmentQuality(x);
  if (x.problems.length) refused++;
  for (const r of new Set(x.problems.map((p) => p.reason))) reasons[r] = (reasons[r] ?? 0) + 1;
}

// ---------- rank-1 with and without the gate ----------
function rank1(enrolled, probes) {
  const templates = [];
  for (const [person, list] of enrolled) {
    if (!list.length) continue;
    const t = new Float32Array(list[0].length);
    for (const e of list) for (let i = 0; i < t.length; i++) t[i] += e[i] / list.length;
    const n = Math.hypot(...t);
    templates.push({ person, t: t.map((v) => v / n) });
  }
  let right = 0;
  for (const p of probes) {
    let best = null;
    for (const t of templates) {
      const d = l2(p.embedding, t.t);
      if (!best || d < best.d) best = { d, person: t.person };
    }
    if (best?.person === p.person) right++;
  }
  return { right, probes: probes.length, people: templates.length };
}
const probes = lfw.filter((x) => x.index >= 8 && x.embedding);
const plain = new Map(),
  gated = new Map();
let gatedShort = 0;
for (const [person, list] of byPerson) {
  const candidates = list.filter((x) => x.index < 8).sort((a, b) => a.index - b.index);
  plain.set(
    person,
    candidates.slice(0, 5).map((x) => x.embedding),
  );
  const accepted = [];
  for (const x of candidates) {
    if (accepted.length === 5) break;
    if (!checkEnrollmentQuality({ ...x, previous: accepted }).length) accepted.push(x.embedding);
  }
  if (accepted.length < 5) gatedShort++;
  gated.set(person, accepted);
}
const r0 = rank1(plain, probes);
const r1 = rank1(gated, probes);

// ---------- report ----------
const pct = (a, b) => `${((100 * a) / b).toFixed(2)} %`;
const R = DEFAULT_QUALITY_RULES;
const withFace = lfw.filter((x) => x.faceCount);
const eyeDist = withFace.map((x) =>
  Math.hypot(x.face.landmarks[1].x - x.face.landmarks[0].x, x.face.landmarks[1].y - x.face.landmarks[0].y),
);
const sharpAll = withFace.map((x) => x.sharpness);
const reasonRows = Object.entries(reasons)
  .sort((a, b) => b[1] - a[1])
  .map(([k, v]) => `| ${k} | ${v} | ${pct(v, lfw.length)} |`);
const examples = (reason, n = 12) =>
  lfw
    .filter((x) => x.problems.some((p) => p.reason === reason))
    .slice(0, n)
    .map((x) => `\`${x.file}\``)
    .join(', ');

const doc = `# Enrollment quality gate

Generated by \`scripts/bench-quality.mjs\` (\`pnpm bench:quality\`) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version},
${os.cpus().length} cores (load average ${os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')} at the end).

The gate (\`checkEnrollmentQuality\` of \`@eolgul/attributes\`) refuses a photo for enrollment when it has no face or
several, the face is small (eyes less than ${R.minEyeDistance} px apart), blurred (\`faceSharpness\` below ${R.minSharpness}), turned (|yaw|, |pitch|
or |roll| above ${R.maxYaw}°, ${R.maxPitch}°, ${R.maxRoll}°), both its eyes look closed (open probability below ${R.minEyeOpen}), or it is a near-copy of a
photo already accepted (embedding distance below ${R.minDistanceToPrevious}). The same function decides in \`eolgul enroll\`, the front door and
the browser sign-up.

## On the LFW dev set (${lfw.length} photos of ${people.length} people)

| refused because | photos | share |
| --- | ---: | ---: |
${reasonRows.join('\n')}
| **refused, any reason** | **${refused}** | **${pct(refused, lfw.length)}** |

Examples — several faces: ${examples('several-faces')}; head turned: ${examples('head-turned')}; eyes closed:
${examples('eyes-closed')}; blurred: ${examples('blurred')}; too small: ${examples('face-too-small') || 'none'}.

**1:N rank-1** (per person, enrollment candidates = the first 8 photos, probes = every later photo: ${probes.length} probes;
nearest per-identity mean template):

| enrollment | people enrolled | rank-1 |
| --- | ---: | ---: |
| first 5 photos, no gate | ${r0.people} | ${pct(r0.right, r0.probes)} (${r0.right}/${r0.probes}) |
| first 5 photos that pass the gate | ${r1.people} (${gatedShort} with fewer than 5) | ${pct(r1.right, r1.probes)} (${r1.right}/${r1.probes}) |

## Where the limits come from

- **Face size**: the embedder's aligned 112×112 crop puts the eye centres 35 px apart; a face with closer eyes is
  enlarged. LFW main faces: eye distance median ${quantile(eyeDist, 0.5).toFixed(1)} px, 1st percentile ${quantile(eyeDist, 0.01).toFixed(1)} px.
- **Sharpness** (variance of the Laplacian of the face's grey 112×112 square): LFW main faces median ${quantile(sharpAll, 0.5).toFixed(1)}, 5th
  percentile ${quantile(sharpAll, 0.05).toFixed(1)}, 1st percentile ${quantile(sharpAll, 0.01).toFixed(1)}; the first photo of each person (${blurCount}) blurred with a Gaussian
  of σ = ${blurSigmas.join(', ')} px (on the 250×250 photo):
${blurSigmas.map((s) => `  σ ${s}: median ${quantile(blurred[s], 0.5).toFixed(1)}, 95th percentile ${quantile(blurred[s], 0.95).toFixed(1)}, refused ${pct(blurred[s].filter((v) => v < R.minSharpness).length, blurred[s].length)}`).join('\n')}
- **Near-duplicates**: L2 distance between the embeddings of a still person's webcam frames (NUAA live frames of one
  subject and session, ${stillDistances.length} pairs): median ${quantile(stillDistances, 0.5).toFixed(3)}, 95th percentile ${quantile(stillDistances, 0.95).toFixed(3)}, max
  ${Math.max(...stillDistances).toFixed(3)}; between two different LFW photos of one person (${photoDistances.length} pairs): 1st percentile
  ${quantile(photoDistances, 0.01).toFixed(3)}, 5th ${quantile(photoDistances, 0.05).toFixed(3)}, median ${quantile(photoDistances, 0.5).toFixed(3)}. At the limit ${R.minDistanceToPrevious}, ${pct(stillDistances.filter((d) => d < R.minDistanceToPrevious).length, stillDistances.length)} of the
  still-person pairs count as near-copies (the sign-up asks for a new view) and ${pct(photoDistances.filter((d) => d < R.minDistanceToPrevious).length, photoDistances.length)} of the different-photo pairs.
- **Eyes**: ${withFace.filter((x) => x.attributes.eyes && Math.min(x.attributes.eyes.left, x.attributes.eyes.right) < 0.5).length} LFW main faces have one eye or both called closed (open probability below 0.5), ${withFace.filter((x) => x.attributes.eyes && Math.max(x.attributes.eyes.left, x.attributes.eyes.right) < 0.5).length} both: the gate
  refuses only when both look closed.
- **Pose**: the attribute model (\`docs/benchmarks/attributes.md\`); LFW |yaw| 95th percentile
  ${quantile(
    withFace.map((x) => Math.abs(x.attributes.pose.yaw)),
    0.95,
  ).toFixed(1)}°, |pitch| ${quantile(
    withFace.map((x) => Math.abs(x.attributes.pose.pitch)),
    0.95,
  ).toFixed(1)}°, |roll| ${quantile(
    withFace.map((x) => Math.abs(x.attributes.pose.roll)),
    0.95,
  ).toFixed(1)}°.
`;
writeBenchmarkDoc(outFile, doc);
console.log(doc);
await attributes.dispose();
await recognizer.dispose();
