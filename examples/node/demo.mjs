// eolgul demo: enroll 4 people from examples/data/gallery, then identify every face in examples/data/probes
// (two more photos of each, and a person who is not enrolled), with emotion; prints a table and writes
// annotated images to examples/node/out/. Uses the library API the way an app would.
import { mkdtemp, mkdir, readdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { readImage, createFaceDetector, alignFace } from '@eolgul/detector';
import { createFaceNet, DEFAULT_THRESHOLD } from '@eolgul/facenet';
import { createEmotionClassifier } from '@eolgul/emotion';
import { Gallery } from '@eolgul/gallery';
import { annotateImage } from '@eolgul/cli';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', 'data');
const outDir = join(here, 'out');

const detector = await createFaceDetector();
const facenet = await createFaceNet();
const emotion = await createEmotionClassifier();
const galleryDir = await mkdtemp(join(tmpdir(), 'eolgul-demo-'));
const gallery = await Gallery.open(galleryDir, {
  create: true,
  dimension: facenet.dimension,
  modelId: facenet.modelId,
  defaultThreshold: DEFAULT_THRESHOLD,
});

// Enrollment: every gallery photo holds exactly one face.
for (const name of (await readdir(join(data, 'gallery'))).sort()) {
  const files = (await readdir(join(data, 'gallery', name))).sort();
  const embeddings = [];
  for (const f of files) {
    const image = await readImage(join(data, 'gallery', name, f));
    const faces = await detector.detect(image);
    if (faces.length !== 1) throw new Error(`${f}: expected one face, found ${faces.length}`);
    embeddings.push(await facenet.embed(alignFace(image, faces[0].landmarks, facenet.inputSize)));
  }
  await gallery.enroll(name, embeddings, files);
}
console.log(
  `enrolled ${gallery.identities().length} people (${gallery.size} photos); threshold ${gallery.defaultThreshold} (L2 distance)`,
);

// Identification: every face of every probe.
const table = new Table({ head: ['image', 'box [x, y, w, h]', 'identity', 'distance', 'emotion'] });
await mkdir(outDir, { recursive: true });
for (const f of (await readdir(join(data, 'probes'))).sort()) {
  const image = await readImage(join(data, 'probes', f));
  const labels = [];
  for (const face of await detector.detect(image)) {
    const embedding = await facenet.embed(alignFace(image, face.landmarks, facenet.inputSize));
    const [match] = gallery.identify(embedding);
    const who = match?.accepted ? match.identity : 'unknown';
    const mood = await emotion.classify(image, face);
    table.push([
      f,
      JSON.stringify(face.box.map(Math.round)),
      who,
      match ? match.distance.toFixed(3) : '-',
      `${mood.label} ${mood.score.toFixed(2)}`,
    ]);
    labels.push({
      box: face.box,
      label: `${who} ${match ? match.distance.toFixed(2) : ''} ${mood.label}`,
      color: who === 'unknown' ? '#d73027' : '#1a9850',
    });
  }
  await writeFile(join(outDir, `${basename(f, '.jpg')}.annotated.jpg`), await annotateImage(image, labels));
}
console.log(table.toString());
console.log(`annotated images written to ${outDir}`);

await gallery.close();
await rm(galleryDir, { recursive: true, force: true });
await Promise.all([detector.dispose(), facenet.dispose(), emotion.dispose()]);
