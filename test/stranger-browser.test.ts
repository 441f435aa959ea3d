// The stranger's browser app: the packages packed as published and installed with npm in a folder outside the
// workspace, the README's browser quick start written into a plain Vite app as printed (its set-up line, index.html
// and main.js), `vite build`, the built bundle checked for Node code, then served on 127.0.0.1 to Debian's Chromium
// with a fake camera (a y4m clip made with ffmpeg from LFW photos): a person enrolls from the camera, is recognised on
// their other photos, and a stranger is reported unknown, without a page error.
//
// Needs Debian's chromium and ffmpeg (`pnpm test` installs them: scripts/test-prerequisites.mjs).
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS helpers shared with the benchmarks (typed by JSDoc)
import { buildBrowserQuickStart, buildExtraPage, nodeCodeIn, packFor } from '../scripts/lib/stranger-app.mjs';
// @ts-expect-error plain JS helper shared with the benchmarks
import { launchChromium } from '../scripts/lib/chromium.mjs';
// @ts-expect-error plain JS helper shared with the browser example
import { writeY4m } from '../examples/browser/scripts/browser-video.mjs';
// @ts-expect-error plain JS helper shared with the browser example
import { serveStatic } from '../examples/browser/scripts/serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'examples', 'data');

/**
 * The camera's clip, looped: Tom Hanks on a red background (the photo he enrolls from), two other photos of him on
 * green and blue, and Meryl Streep, who never enrolls, on yellow. The background tells the test which photo is showing.
 */
const SEGMENTS = [
  { label: 'enroll', rgb: [192, 64, 64], path: join(DATA, 'gallery', 'Tom_Hanks', 'Tom_Hanks_0004.jpg') },
  { label: 'tom-2', rgb: [64, 192, 64], path: join(DATA, 'probes', 'Tom_Hanks_0008.jpg') },
  { label: 'tom-3', rgb: [64, 64, 192], path: join(DATA, 'probes', 'Tom_Hanks_0009.jpg') },
  { label: 'stranger', rgb: [192, 192, 64], path: join(DATA, 'probes', 'Meryl_Streep_0001.jpg') },
] as const;
const SECONDS = 4;
const hex = (rgb: readonly number[]) => `0x${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/**
 * A second page in the same app: one photo given to `analyse` as every kind of browser input, and bad inputs; the
 * answers land in `window.inputResults`.
 */
const INPUTS_PAGE = {
  'index.html': '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>',
  'main.js': `import { createFaceRecognizer } from 'eolgul';

const out = { kinds: {}, errors: {} };
try {
  const recognizer = await createFaceRecognizer({ modelBasePath: '/models/' });
  const url = new URL('face.jpg', document.baseURI).href;
  const blob = await (await fetch(url)).blob();
  const img = new Image();
  img.src = url;
  await img.decode();
  const canvas = Object.assign(document.createElement('canvas'), { width: img.naturalWidth, height: img.naturalHeight });
  canvas.getContext('2d').drawImage(img, 0, 0);
  const offscreen = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
  offscreen.getContext('2d').drawImage(img, 0, 0);
  const inputs = {
    img,
    canvas,
    offscreen,
    bitmap: await createImageBitmap(blob),
    imageData: canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height),
    blob,
    bytes: new Uint8Array(await blob.arrayBuffer()),
    arrayBuffer: await blob.arrayBuffer(),
    url,
  };
  for (const [kind, input] of Object.entries(inputs)) {
    const { width, height, faces } = await recognizer.analyse(input);
    out.kinds[kind] = { width, height, boxes: faces.map((f) => f.box), embedding: Array.from(faces[0]?.embedding ?? []) };
  }
  const bad = {
    junkBytes: new Uint8Array([1, 2, 3, 4]),
    notLoaded: document.createElement('img'),
    wrongSize: { data: new Uint8Array(10), width: 4, height: 4 },
    number: 42,
  };
  for (const [kind, input] of Object.entries(bad)) {
    out.errors[kind] = await recognizer.analyse(input).then(
      () => 'resolved',
      (e) => \`\${e.name} \${e.code}: \${e.message}\`,
    );
  }
  await recognizer.dispose();
  out.afterDispose = await recognizer.analyse(img).then(() => 'resolved', (e) => \`\${e.name} \${e.code}\`);
} catch (e) {
  out.failed = String(e && e.stack || e);
}
window.inputResults = out;
`,
};

let work = '';
let built: { dist: string; buildLog: string };
let inputsLog = '';
let server: { url: string; close: () => Promise<void> };
let browser: Browser | undefined;
let video = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'eolgul-browser-stranger-'));
  const app = join(work, 'app');
  await mkdir(app);
  await mkdir(join(work, 'tarballs'));
  const tarballs = await packFor(join(work, 'tarballs'), ['eolgul']);
  built = await buildBrowserQuickStart(app, tarballs);
  const face = await readFile(join(DATA, 'probes', 'Serena_Williams_0005.jpg'));
  inputsLog = await buildExtraPage(app, 'inputs', { ...INPUTS_PAGE, 'public/face.jpg': face });
  server = await serveStatic(built.dist);
  video = join(work, 'camera.y4m');
  await writeY4m(
    video,
    SEGMENTS.map((s) => ({ kind: 'image', path: s.path, seconds: SECONDS, background: hex(s.rgb) })),
    10,
  );
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the README's browser quick start in a plain Vite app", () => {
  it('builds without Node code: no Node built-in or Node-only package in the emitted JavaScript', async () => {
    expect(built.buildLog).not.toMatch(/externalized for browser compatibility/);
    expect(await nodeCodeIn(built.dist)).toEqual([]);
  });

  it('every browser input kind gives the same face as Node, and bad inputs give typed errors', async () => {
    expect(inputsLog).not.toMatch(/externalized for browser compatibility/);
    browser ??= (await launchChromium({ video })) as Browser;
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}inputs/`);
    await page.waitForFunction(() => (window as { inputResults?: unknown }).inputResults, null, { timeout: 120_000 });
    const got = await page.evaluate(() => (window as unknown as { inputResults: InputResults }).inputResults);
    expect(got.failed).toBeUndefined();
    const { createFaceRecognizer } = await import('eolgul');
    const node = await createFaceRecognizer();
    const [want] = (await node.analyse(join(DATA, 'probes', 'Serena_Williams_0005.jpg'))).faces;
    await node.dispose();
    expect(Object.keys(got.kinds).sort()).toEqual(
      ['arrayBuffer', 'bitmap', 'blob', 'bytes', 'canvas', 'imageData', 'img', 'offscreen', 'url'].sort(),
    );
    for (const [kind, r] of Object.entries(got.kinds)) {
      expect([r.width, r.height], kind).toEqual([250, 250]);
      expect(r.boxes, kind).toHaveLength(1);
      // The browser decodes the JPEG itself (not libvips): the box within 2 px, the embedding within 0.1 of Node's.
      const boxGap = Math.max(...r.boxes[0].map((v, i) => Math.abs(v - want.box[i])));
      expect(boxGap, `${kind}: box ${r.boxes[0]} vs ${want.box}`).toBeLessThan(2);
      const d = Math.hypot(...r.embedding.map((v, i) => v - want.embedding[i]));
      expect(d, `${kind}: L2 distance to the Node embedding`).toBeLessThan(0.1);
    }
    expect(got.errors.junkBytes).toMatch(/^ImageDecodeError IMAGE_DECODE: .*input \(Uint8Array, 4 bytes\)/);
    expect(got.errors.notLoaded).toMatch(/^InvalidArgumentError INVALID_ARGUMENT: .*has not loaded/);
    expect(got.errors.wrongSize).toMatch(/^InvalidArgumentError INVALID_ARGUMENT: .*needs 48 bytes/);
    expect(got.errors.number).toMatch(/^InvalidArgumentError INVALID_ARGUMENT: .*not an image/);
    expect(got.afterDispose).toBe('ModelDisposedError MODEL_DISPOSED');
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 300_000);

  it('enrolls a person from the camera, recognises their other photos, and calls a stranger unknown', async () => {
    browser ??= (await launchChromium({ video })) as Browser;
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => d.accept('Tom Hanks')); // the quick start asks the name with prompt()
    const modelFiles: string[] = [];
    page.on('request', (r) => {
      const m = /\/models\/([^/?]+)$/.exec(r.url());
      if (m && m[1] !== 'NOTICE.md') modelFiles.push(m[1]);
    });
    await page.goto(server.url);
    await page
      .waitForFunction(() => !/^Loading/.test(document.querySelector('#who')?.textContent ?? 'Loading'), null, {
        timeout: 120_000,
      })
      .catch((err) => {
        throw new Error(`the page did not load the models: ${err.message}; page errors: ${pageErrors.join(' | ')}`);
      });
    expect(pageErrors).toEqual([]);
    // Only the default configuration's models were fetched, each once.
    const { modelFilesFor } = await import('eolgul/node');
    expect(modelFiles.sort()).toEqual(modelFilesFor().sort());

    // Enroll when the enrollment photo has just come on screen (it stays SECONDS seconds).
    let previous = '';
    for (const t0 = Date.now(); ; ) {
      const { label } = await sample(page);
      if (label === 'enroll' && previous !== '' && previous !== 'enroll') break;
      previous = label;
      expect(Date.now() - t0, 'the enrollment photo never came on screen').toBeLessThan(60_000);
      await page.waitForTimeout(100);
    }
    await page.click('#enroll');
    await page.waitForFunction(() => document.querySelector('#who')?.textContent === 'Tom Hanks', null, {
      timeout: 30_000,
    });

    // One loop and a bit of the clip: what the page says on each photo, away from the moments the photo changes (the
    // text on screen is the answer for a frame up to one analysis old).
    const samples: { label: string; who: string; t: number }[] = [];
    for (const t0 = Date.now(); Date.now() - t0 < (SEGMENTS.length + 1) * SECONDS * 1000; ) {
      samples.push({ ...(await sample(page)), t: Date.now() });
      await page.waitForTimeout(100);
    }
    const steady = samples.filter((s) => samples.every((o) => Math.abs(o.t - s.t) > 800 || o.label === s.label));
    const said = (label: string) => steady.filter((s) => s.label === label).map((s) => s.who);
    for (const label of ['enroll', 'tom-2', 'tom-3']) {
      const who = said(label);
      expect(who.length, `${label}: steady samples`).toBeGreaterThanOrEqual(5);
      expect(who.filter((w) => w === 'Tom Hanks').length / who.length, `${label}: ${who.join(', ')}`).toBeGreaterThan(
        0.8,
      );
    }
    const stranger = said('stranger');
    expect(stranger.length).toBeGreaterThanOrEqual(5);
    expect(stranger.filter((w) => w === 'unknown').length / stranger.length, stranger.join(', ')).toBeGreaterThan(0.8);
    expect(pageErrors).toEqual([]);
  }, 300_000);
});

interface InputResults {
  failed?: string;
  kinds: Record<string, { width: number; height: number; boxes: number[][]; embedding: number[] }>;
  errors: Record<string, string>;
  afterDispose: string;
}

/** The photo on screen now (by its background colour, left of the photo) and what the page says. */
async function sample(page: Page): Promise<{ label: string; who: string }> {
  const { rgb, who } = await page.evaluate(() => {
    const v = document.querySelector('video') as HTMLVideoElement;
    const c = Object.assign(document.createElement('canvas'), { width: 1, height: 1 });
    const ctx = c.getContext('2d') as CanvasRenderingContext2D;
    ctx.drawImage(v, 20, 240, 1, 1, 0, 0, 1, 1);
    return {
      rgb: [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)],
      who: document.querySelector('#who')?.textContent,
    };
  });
  const distance = (s: (typeof SEGMENTS)[number]) => s.rgb.reduce((d, v, i) => d + (v - rgb[i]) ** 2, 0);
  const nearest = [...SEGMENTS].sort((a, b) => distance(a) - distance(b))[0];
  return { label: distance(nearest) < 40 ** 2 * 3 ? nearest.label : 'other', who: who ?? '' };
}
