#!/usr/bin/env node
// `npx eolgul-models <dir> [--detector mtcnn] [--landmarks mesh] [--precision int8] [--emotion fast] [--liveness]
// [--attributes]`: copies the model files and the runtime WebAssembly that one configuration of createFaceRecognizer
// needs into a web app's public folder.
// Arguments are parsed with node:util parseArgs (Node's own, no dependency for a handful of options).
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { copyModelFiles, type ModelChoices } from './copy-model-files.js';

const USAGE = `Usage: eolgul-models <dir> [--detector rfb320|mtcnn] [--landmarks onet|landmarks68|mesh] [--precision fp32|int8]
                     [--emotion fast|accurate] [--liveness] [--attributes]

Copies into <dir> the model files that createFaceRecognizer loads with these options (the defaults when none are given),
their licence notices, and the WebAssembly of onnxruntime-web (<dir>/ort/) and, for emotion or mesh, of TensorFlow.js
(<dir>/tfjs/). Serve <dir> as the app's models/ folder, or pass its URL as modelBasePath.

The command-line tool (enroll, identify, verify, embed, …) is another package: npm install @eolgul/cli, then
npx eolgul <command>.`;

/**
 * The commands of `@eolgul/cli`'s `eolgul`. With only this package installed, `npx eolgul verify a.jpg b.jpg` runs
 * this tool (its only command): such a first argument is refused with the way to the CLI instead of becoming a folder.
 */
const CLI_COMMANDS = new Set([
  'attributes',
  'help',
  'check',
  'embed',
  'emotion',
  'enroll',
  'gallery',
  'identify',
  'lfw',
  'liveness',
  'verify',
  'watch',
]);

const OPTIONS = {
  detector: { type: 'string' },
  landmarks: { type: 'string' },
  precision: { type: 'string' },
  emotion: { type: 'string' },
  liveness: { type: 'boolean' },
  attributes: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const isDirectory = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

try {
  // The command check comes first, on a lenient parse: the CLI's own options (--gallery …) are unknown here.
  const [first] = parseArgs({ allowPositionals: true, strict: false, options: OPTIONS }).positionals;
  if (first !== undefined && CLI_COMMANDS.has(first) && !isDirectory(first)) {
    throw new Error(
      `"${first}" is a command of the eolgul command-line tool, and this is eolgul-models, which copies model files into a folder. ` +
        `Install the command-line tool with npm install @eolgul/cli, then run npx eolgul ${first} …`,
    );
  }
  const { values, positionals } = parseArgs({ allowPositionals: true, options: OPTIONS });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1) throw new Error(`expected one folder, got ${positionals.length}\n\n${USAGE}`);
  const choices = {
    detector: values.detector,
    landmarks: values.landmarks,
    precision: values.precision,
    emotion: values.emotion === 'true' ? true : values.emotion,
    liveness: values.liveness,
    attributes: values.attributes,
  } as ModelChoices;
  const files = await copyModelFiles(positionals[0], choices);
  console.log(`copied ${files.length} files to ${positionals[0]}: ${files.join(', ')}`);
} catch (err) {
  console.error(`eolgul-models: ${(err as Error).message}`);
  process.exit(2);
}
