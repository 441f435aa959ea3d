// eolgul demo: enroll 4 people from examples/data/gallery, then identify every face in examples/data/probes
// (two more photos of each, and a person who is not enrolled), with their expression; prints a table and writes
// annotated images to examples/node/out/. Uses the `eolgul` package the way an app would.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { createFaceRecognizer } from 'eolgul';
import { annotateImage } from 'eolgul/node';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', 'data');
const outDir = join(here, 'out');

// The gallery lives in memory here; pass `gallery: './my-gallery'` to keep it in a folder.
const recognizer = await createFaceRecognizer({ emotion: true });

// Enrollment: every gallery photo holds exactly one face (enroll refuses the batch otherwise, naming the photo).
for (const name of (await readdir(join(data, 'gallery'))).sort()) {
  const files = (await readdir(join(data, 'gallery', name))).sort();
  await recognizer.enroll(
    name.replaceAll('_', ' '),
    files.map((f) => join(data, 'gallery', name, f)),
  );
}
const people = await recognizer.gallery.identities();
console.log(
  `enrolled ${people.length} people (${await recognizer.gallery.count()} photos); threshold ${recognizer.threshold} (L2 distance)`,
);

// Identification: every face of every probe.
// Colours only on a terminal that wants them (no escape codes in a log file).
const plain = !process.stdout.isTTY || process.env.NO_COLOR !== undefined;
const table = new Table({
  head: ['image', 'box [x, y, w, h]', 'identity', 'distance', 'emotion'],
  ...(plain ? { style: { head: [], border: [] } } : {}),
});
await mkdir(outDir, { recursive: true });
for (const f of (await readdir(join(data, 'probes'))).sort()) {
  const path = join(data, 'probes', f);
  const { faces } = await recognizer.analyse(path);
  const labels = faces.map(({ box, match, emotion }) => {
    const who = match?.accepted ? match.identity : 'unknown';
    table.push([
      f,
      JSON.stringify(box.map(Math.round)),
      who,
      match ? match.distance.toFixed(3) : '-',
      `${emotion.label} ${emotion.score.toFixed(2)}`,
    ]);
    return {
      box,
      label: `${who} ${match ? match.distance.toFixed(2) : ''} ${emotion.label}`,
      color: who === 'unknown' ? '#d73027' : '#1a9850',
    };
  });
  await writeFile(join(outDir, `${basename(f, '.jpg')}.annotated.jpg`), await annotateImage(path, labels));
}
console.log(table.toString());
console.log(`annotated images written to ${outDir}`);
await recognizer.dispose();
