// End-to-end test of the browser example: the built app, served on 127.0.0.1, in Debian's headless Chromium driven by
// playwright-core, with the camera faked by y4m videos made with ffmpeg from LFW images (../shared/data/lfw-subset).
// Person A signs up from 10 frames, turning the head as the sign-up's head-turn check asks; a still photo cannot sign
// up, and a person turning can (Tom Hanks's committed samples); A's other photos are recognised as A; person B is unknown; answering "No" to
// "Is this you, A?" excludes A for the rest of the session. The gallery survives a browser restart (IndexedDB) and
// round-trips through the NPY + CSV export that the CLI reads. Screenshots go to examples/browser/test-artifacts/.
//
// Needs Debian's chromium and ffmpeg: apt-get update && apt-get install -y chromium ffmpeg
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Download, type Page } from 'playwright-core';
import { build } from 'vite';
import { decodeNpy, parseCsv } from '@eolgul/core';
import { readGalleryPair } from '@eolgul/gallery/node';
import { checkEnrollmentQuality, createFaceRecognizer, DEFAULT_THRESHOLD } from 'eolgul';
// @ts-expect-error plain JS helpers shared with the benchmark (typed by JSDoc)
import { frameToRgb, segmentFrame, writeY4m } from '../scripts/browser-video.mjs';
// @ts-expect-error plain JS helper shared with the benchmark
import { serveStatic } from '../scripts/serve.mjs';
// @ts-expect-error plain JS helper shared with the stranger tests
import { nodeCodeIn } from '../../../scripts/lib/stranger-app.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const appDir = join(here, '..');
const artifacts = join(appDir, 'test-artifacts');
const LFW = join(appDir, '..', '..', '..', 'shared', 'data', 'lfw-subset', 'images');
const CHROMIUM = '/usr/bin/chromium';
/** Person A (signs up) and person B (never signs up). */
const A_DIR = 'Colin_Powell';
const A_NAME = 'Colin Powell';
const B_DIR = 'George_W_Bush';
/** Committed samples of one person: facing the camera, then turned to each side (yaw about −6°, +27°, −25°). */
const TOM = join(appDir, '..', 'data', 'gallery', 'Tom_Hanks');
const TOM_PROBES = join(appDir, '..', 'data', 'probes');

interface FaceView {
  box: [number, number, number, number];
  identity: string | null;
  nearest: string | null;
  distance: number | null;
  emotion: string | null;
}
interface FrameRecord {
  t: number;
  mode: string;
  faces: FaceView[];
}
interface AppState {
  ready: boolean;
  error: string | null;
  frames: FrameRecord[];
  frameCount: number;
  fps: number;
  prompts: { identity: string; answer?: string }[];
  signups: { name: string; photos: number; skipped: Record<string, number>; imageIds: string[] }[];
  signupAttempts: SignupAttempt[];
}
interface SignupAttempt {
  name: string;
  outcome: string;
  message: string;
  challenge: { state: string; reason?: string; elapsedMs: number };
  liveness: { frames: number; live: number; min: number; mean: number };
  refused?: Record<string, number>;
}
declare global {
  interface Window {
    eolgul: AppState;
  }
}

let tmp: string;
let server: { url: string; close: () => Promise<void> };
let profile: string;
const videos: Record<'signup' | 'a' | 'b' | 'still' | 'turning', string> = {
  signup: '',
  a: '',
  b: '',
  still: '',
  turning: '',
};
const pageErrors: string[] = [];

function have(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One image of a person as the fake camera shows it, measured by the Node recognizer with the sign-up's checks. */
interface Measured {
  path: string;
  faces: number;
  /** Head yaw of its one face, degrees. */
  yaw: number;
  /** Whether its one face passes the enrollment quality gate. */
  usable: boolean;
}

/** The first `n` images of a person, each measured on its fake-camera frame (LFW images often hold two faces). */
async function measureImages(person: string, n: number): Promise<Measured[]> {
  const recognizer = await createFaceRecognizer({ quality: true });
  try {
    const out: Measured[] = [];
    for (const f of readdirSync(join(LFW, person)).sort().slice(0, n)) {
      const path = join(LFW, person, f);
      const { faces } = await recognizer.analyse(frameToRgb(segmentFrame({ kind: 'image', path })));
      const [face] = faces;
      const problems = checkEnrollmentQuality({
        faceCount: faces.length,
        face,
        sharpness: face?.sharpness,
        attributes: face?.attributes,
      });
      out.push({ path, faces: faces.length, yaw: face?.attributes?.pose.yaw ?? Number.NaN, usable: !problems.length });
    }
    return out;
  } finally {
    await recognizer.dispose();
  }
}

/** The first `n` one-face images, after leaving out `skip` paths. */
function oneFace(images: Measured[], n: number, skip: readonly string[] = []): string[] {
  const out = images.filter((m) => m.faces === 1 && !skip.includes(m.path)).map((m) => m.path);
  if (out.length < n) throw new Error(`only ${out.length} usable one-face images`);
  return out.slice(0, n);
}

/** Launches Chromium on the shared profile (so IndexedDB persists between launches) with `video` as its camera. */
async function launch(
  video: string,
  userDataDir = profile,
  query = '',
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 760 },
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await open(page, query);
  return { context, page };
}

async function open(page: Page, query = ''): Promise<void> {
  await page.goto(server.url + query);
  await page.waitForFunction(() => window.eolgul?.ready || window.eolgul?.error, null, { timeout: 90_000 });
  expect(await page.evaluate(() => window.eolgul.error)).toBeNull();
}

/** Frames analysed after time `since` (page clock, ms) that hold at least one face; waits until `count` are in. */
async function framesWithFaces(page: Page, since: number, count: number): Promise<FrameRecord[]> {
  await page.waitForFunction(
    ([s, c]) => window.eolgul.frames.filter((f) => f.t > s && f.mode === 'recognise' && f.faces.length > 0).length >= c,
    [since, count] as const,
    { timeout: 60_000 },
  );
  return page.evaluate(
    (s) => window.eolgul.frames.filter((f) => f.t > s && f.mode === 'recognise' && f.faces.length > 0),
    since,
  );
}

/**
 * How long `expect.poll` waits for the page (vitest's default is 1 s): the camera loop shares the page's thread with
 * the UI, and on a loaded machine an analysis with the sign-up's checks can take longer than that.
 */
const POLL = { timeout: 15_000 };
const now = (page: Page) => page.evaluate(() => performance.now());
const largest = (f: FrameRecord) => f.faces.reduce((a, b) => (b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a));

beforeAll(async () => {
  if (!existsSync(CHROMIUM) || !have('ffmpeg', ['-version'])) {
    throw new Error(
      'the browser end-to-end test needs Debian chromium and ffmpeg: apt-get update && apt-get install -y chromium ffmpeg',
    );
  }
  if (!existsSync(LFW)) throw new Error(`LFW images not found at ${LFW}`);
  tmp = mkdtempSync(join(tmpdir(), 'eolgul-browser-e2e-'));
  profile = join(tmp, 'profile');
  mkdirSync(artifacts, { recursive: true });

  // Build the app as it is now (not a stale dist/) into the temp folder.
  const outDir = join(tmp, 'dist');
  await build({
    configFile: join(appDir, 'vite.config.ts'),
    root: appDir,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  server = await serveStatic(outDir);

  // Camera videos, 15 fps, 640×480.
  // A's sign-up: photos that pass the quality gate, facing the camera (|yaw| ≤ 12°) and turned each way (|yaw| ≥ 20°),
  // in the order facing, turned, facing, turned to the other side…, so that a head turn each way follows any frontal
  // frame within a few seconds wherever the looped video is when the sign-up starts; one frame with no face. Frames
  // with two faces would fail the head-turn check (only the person signing up may be in view), so there are none.
  const aMeasured = await measureImages(A_DIR, 40);
  const usable = aMeasured.filter((m) => m.faces === 1 && m.usable);
  const frontal = usable.filter((m) => Math.abs(m.yaw) <= 12).slice(0, 9);
  const left = usable.find((m) => m.yaw <= -20);
  const right = usable.find((m) => m.yaw >= 20);
  if (frontal.length < 9 || !left || !right) throw new Error(`${A_DIR}: not enough frontal and turned photos`);
  const turns = [left, right];
  videos.signup = join(tmp, 'signup.y4m');
  await writeY4m(videos.signup, [
    { kind: 'blank', seconds: 0.3 },
    ...frontal.flatMap((m, i) => [
      { kind: 'image', path: m.path, seconds: 0.5 },
      { kind: 'image', path: turns[i % 2].path, seconds: 0.5 },
    ]),
  ]);
  const signupPaths = [...frontal, left, right].map((m) => m.path);
  videos.a = join(tmp, 'a-other.y4m');
  await writeY4m(
    videos.a,
    oneFace(aMeasured, 8, signupPaths).map((path) => ({ kind: 'image', path, seconds: 0.6 })),
  );
  videos.b = join(tmp, 'b.y4m');
  await writeY4m(
    videos.b,
    oneFace(await measureImages(B_DIR, 12), 8).map((path) => ({ kind: 'image', path, seconds: 0.6 })),
  );
  // One still photo: it never turns.
  videos.still = join(tmp, 'still.y4m');
  await writeY4m(videos.still, [{ kind: 'image', path: join(TOM, 'Tom_Hanks_0005.jpg'), seconds: 2 }]);
  // The same person facing the camera, turned right, turned left, then two more photos facing it.
  videos.turning = join(tmp, 'turning.y4m');
  await writeY4m(
    videos.turning,
    [
      join(TOM, 'Tom_Hanks_0005.jpg'),
      join(TOM, 'Tom_Hanks_0004.jpg'),
      join(TOM, 'Tom_Hanks_0006.jpg'),
      join(TOM_PROBES, 'Tom_Hanks_0008.jpg'),
      join(TOM_PROBES, 'Tom_Hanks_0009.jpg'),
    ].map((path) => ({ kind: 'image', path, seconds: 0.8 })),
  );
}, 240_000);

afterAll(async () => {
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('browser example, end to end in headless Chromium with a fake camera', () => {
  it('builds with plain Vite on eolgul: no Node built-in or Node-only package in the bundle', async () => {
    expect(await nodeCodeIn(join(tmp, 'dist'))).toEqual([]);
  });

  it('signs A up from 10 photos after the head-turn check, skipping frames with no face, and refuses the name again', async () => {
    // A generous sign-up time limit: on a loaded machine the page analyses a few frames per second.
    const { context, page } = await launch(videos.signup, profile, '?signupTimeout=150000');
    try {
      await page.fill('#name', A_NAME);
      await page.click('#signup');
      await page.waitForFunction(() => window.eolgul.signupAttempts.length === 1, null, { timeout: 170_000 });
      const [attempt] = await page.evaluate(() => window.eolgul.signupAttempts);
      expect(attempt.message).toContain(`Signed up ${A_NAME} with 10 photos`);
      const [s] = await page.evaluate(() => window.eolgul.signups);
      expect(s.name).toBe(A_NAME);
      expect(s.photos).toBe(10);
      expect(s.imageIds).toEqual(
        Array.from({ length: 10 }, (_, i) => `${A_NAME}_${String(i + 1).padStart(4, '0')}.jpg`),
      );
      expect(s.skipped['no-face']).toBeGreaterThan(0);
      expect(attempt.challenge.state).toBe('passed');
      console.log(`${A_NAME}: head-turn check passed in ${(attempt.challenge.elapsedMs / 1000).toFixed(1)} s`);
      // Each photo is shown several frames in a row: its copies are refused as near-duplicates.
      expect(attempt.refused?.['near-duplicate']).toBeGreaterThan(0);
      expect(attempt.liveness.frames).toBeGreaterThan(10);
      // The reasons were on screen.
      const log = await page.locator('#signup-log').innerText();
      expect(log).toContain('no face in the frame');
      expect(log).toContain('almost the same as one already taken');
      expect(await page.locator('#signup-challenge').innerText()).toContain('Head turn: done');
      expect(await page.locator('#signup-liveness').innerText()).toMatch(/passive liveness \d\.\d\d/);
      await expect.poll(() => page.locator('#people').innerText(), POLL).toContain(`${A_NAME} — 10 photos`);
      expect(await page.locator('#signup-message').innerText()).toContain(`Signed up ${A_NAME} with 10 photos`);

      // The same name again is refused…
      await page.fill('#name', A_NAME);
      await page.click('#signup');
      expect(await page.locator('#signup-message').innerText()).toContain('already signed up');
      expect(await page.evaluate(() => window.eolgul.signups.length)).toBe(1);
      // …unless "add photos to my profile" is ticked.
      await page.check('#add-photos');
      await page.click('#signup');
      await page.waitForFunction(() => window.eolgul.signupAttempts.length === 2, null, { timeout: 170_000 });
      expect(await page.evaluate(() => window.eolgul.signupAttempts[1].message)).toContain('Added 10 photos');
      await expect.poll(() => page.locator('#people').innerText(), POLL).toContain(`${A_NAME} — 20 photos`);
      expect(await page.locator('#signup-message').innerText()).toContain(`Added 10 photos to ${A_NAME}'s profile`);
      await page.screenshot({ path: join(artifacts, 'browser-signup.png') });
    } finally {
      await context.close();
    }
  }, 400_000);

  it('refuses a sign-up from a still photo: the head never turns, the head-turn check times out', async () => {
    const { context, page } = await launch(videos.still, join(tmp, 'profile-still'));
    try {
      await page.fill('#name', 'Tom Hanks');
      await page.click('#signup');
      await page.waitForFunction(() => window.eolgul.signupAttempts.length === 1, null, { timeout: 90_000 });
      const [attempt] = await page.evaluate(() => window.eolgul.signupAttempts);
      expect(attempt.outcome).toBe('challenge-failed');
      expect(attempt.challenge).toMatchObject({ state: 'failed', reason: 'timeout' });
      expect(attempt.challenge.elapsedMs).toBeGreaterThan(8000);
      const message = await page.locator('#signup-message').innerText();
      expect(message).toContain('Sign-up failed, nothing was stored: head-turn check failed');
      expect(await page.evaluate(() => window.eolgul.signups)).toEqual([]);
      expect(await page.locator('#people').innerText()).not.toContain('Tom Hanks');
      console.log(
        `still photo: sign-up refused after ${(attempt.challenge.elapsedMs / 1000).toFixed(1)} s (passive liveness, advisory: mean ${attempt.liveness.mean.toFixed(2)}, ${attempt.liveness.live} of ${attempt.liveness.frames} frames live)`,
      );
      await page.screenshot({ path: join(artifacts, 'browser-signup-still.png') });
    } finally {
      await context.close();
    }
  }, 180_000);

  it('signs up a person who turns the head (Tom Hanks: facing, turned right, turned left)', async () => {
    // LFW holds few photos of one person that pass the gate: this sign-up takes 4 photos instead of 10.
    const { context, page } = await launch(videos.turning, join(tmp, 'profile-turning'), '?photos=4');
    try {
      await page.fill('#name', 'Tom Hanks');
      await page.click('#signup');
      await page.waitForFunction(() => window.eolgul.signupAttempts.length === 1, null, { timeout: 90_000 });
      const [attempt] = await page.evaluate(() => window.eolgul.signupAttempts);
      expect(attempt.message).toContain('Signed up Tom Hanks with 4 photos');
      expect(attempt.outcome).toBe('stored');
      expect(attempt.challenge.state).toBe('passed');
      await expect.poll(() => page.locator('#people').innerText(), POLL).toContain('Tom Hanks — 4 photos');
      console.log(
        `turning person: head-turn check passed in ${(attempt.challenge.elapsedMs / 1000).toFixed(1)} s from the first frontal frame (video: 0.8 s per photo; passive liveness, advisory: mean ${attempt.liveness.mean.toFixed(2)}, ${attempt.liveness.live} of ${attempt.liveness.frames} frames live)`,
      );
      await page.screenshot({ path: join(artifacts, 'browser-signup-turning.png') });
    } finally {
      await context.close();
    }
  }, 180_000);

  it('recognises A\'s other photos as A after a browser restart, asks "Is this you?" and greets on Yes', async () => {
    const { context, page } = await launch(videos.a);
    try {
      expect(await page.locator('#people').innerText()).toContain(`${A_NAME} — 20 photos`);
      const frames = await framesWithFaces(page, await now(page), 40);
      const main = frames.map(largest);
      const asA = main.filter((f) => f.identity === A_NAME);
      // Every frame but a few (a face caught mid-switch between two photos) names A.
      expect(asA.length / main.length).toBeGreaterThanOrEqual(0.95);
      for (const f of asA) expect(f.distance).toBeLessThanOrEqual(DEFAULT_THRESHOLD);
      expect(main.every((f) => f.emotion !== null)).toBe(true);
      await expect.poll(() => page.locator('#faces').innerText(), POLL).toContain(A_NAME);

      await page.locator('#prompt').waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.locator('#prompt').innerText()).toContain(`Is this you, ${A_NAME}?`);
      await page.click('#yes');
      await page.locator('#greeting').waitFor({ state: 'visible' });
      expect(await page.locator('#greeting').innerText()).toContain(`Hello, ${A_NAME}!`);
      expect(await page.evaluate(() => window.eolgul.fps)).toBeGreaterThan(0);
      await page.screenshot({ path: join(artifacts, 'browser-recognised.png') });

      // A new session (reload): answering "No" excludes A for the rest of the session; the loop goes on.
      await open(page);
      await page.locator('#prompt').waitFor({ state: 'visible', timeout: 30_000 });
      expect(await page.locator('#prompt').innerText()).toContain(`Is this you, ${A_NAME}?`);
      await page.click('#no');
      const after = await now(page);
      await expect.poll(() => page.locator('#rejected').innerText(), POLL).toContain(A_NAME);
      const later = (await framesWithFaces(page, after, 30)).map(largest);
      expect(later.every((f) => f.identity === null)).toBe(true);
      // A is no longer a candidate at all: with one person enrolled, nobody is nearest.
      expect(later.every((f) => f.nearest === null)).toBe(true);
      expect(await page.locator('#prompt').isVisible()).toBe(false);
      expect(await page.evaluate(() => window.eolgul.prompts.map((p) => p.answer))).toEqual(['no']);
      await page.screenshot({ path: join(artifacts, 'browser-rejected.png') });
    } finally {
      await context.close();
    }
  }, 180_000);

  it('shows B as unknown, and round-trips the gallery through the NPY + CSV export the CLI reads', async () => {
    const { context, page } = await launch(videos.b);
    try {
      const frames = await framesWithFaces(page, await now(page), 40);
      for (const f of frames) {
        for (const face of f.faces) {
          expect(face.identity).toBeNull();
          expect(face.nearest).toBe(A_NAME);
          expect(face.distance).toBeGreaterThan(DEFAULT_THRESHOLD);
        }
      }
      expect(await page.evaluate(() => window.eolgul.prompts.length)).toBe(0);
      expect(await page.locator('#faces').innerText()).toContain('unknown');
      await page.screenshot({ path: join(artifacts, 'browser-unknown.png') });

      // Export: two downloads, read back with the CLI's reader.
      const downloads: Download[] = [];
      page.on('download', (d) => downloads.push(d));
      await page.click('#export');
      await expect.poll(() => downloads.length, POLL).toBe(2);
      const files: Record<string, string> = {};
      for (const d of downloads) {
        files[d.suggestedFilename()] = join(tmp, d.suggestedFilename());
        await d.saveAs(files[d.suggestedFilename()]);
      }
      const npyPath = files['eolgul-gallery.npy'];
      const csvPath = files['eolgul-gallery.csv'];
      const npy = decodeNpy(new Uint8Array(readFileSync(npyPath)));
      expect(npy.shape).toEqual([20, 512]);
      const rows = parseCsv(readFileSync(csvPath, 'utf8'), ['image', 'category']);
      expect(rows.map((r) => r.category)).toEqual(Array(20).fill('0'));
      const pair = await readGalleryPair(npyPath, csvPath);
      expect(new Set(pair.identities)).toEqual(new Set([A_NAME]));
      expect(pair.imageIds).toHaveLength(20);

      // Delete A, then import the pair back.
      page.once('dialog', (d) => void d.accept());
      await page.locator(`#people li[data-identity="${A_NAME}"] button`).click();
      await expect.poll(() => page.locator('#people').innerText(), POLL).not.toContain(A_NAME);
      await page.setInputFiles('#import', [npyPath, csvPath]);
      await expect.poll(() => page.locator('#gallery-message').innerText(), POLL).toContain('Imported 20 embeddings');
      expect(await page.locator('#people').innerText()).toContain(`${A_NAME} — 20 photos`);
      // A bad pair is refused with the typed error's message, and changes nothing.
      await page.setInputFiles('#import', [
        { name: 'bad.npy', mimeType: 'application/octet-stream', buffer: Buffer.from('not an npy file') },
        { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('image,category\nx_0001.jpg,0\n') },
      ]);
      await expect.poll(() => page.locator('#gallery-message').innerText(), POLL).toContain('NPY_FORMAT');
      expect(await page.locator('#people').innerText()).toContain(`${A_NAME} — 20 photos`);
    } finally {
      await context.close();
    }
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('refuses a stored gallery made with another embedding model, and offers to delete it', async () => {
    const { context, page } = await launch(videos.b, join(tmp, 'profile-mismatch'));
    try {
      // Make the stored gallery claim another model, as an older version of the app with a 128-d FaceNet would have.
      await page.evaluate(
        () =>
          new Promise<void>((ok, fail) => {
            const req = indexedDB.open('eolgul-browser', 1);
            req.onerror = () => fail(req.error);
            req.onsuccess = () => {
              const tx = req.result.transaction('meta', 'readwrite');
              tx.objectStore('meta').put({ key: 'manifest', modelId: 'facenet-128', dimension: 128 });
              tx.oncomplete = () => {
                req.result.close();
                ok();
              };
              tx.onerror = () => fail(tx.error);
            };
          }),
      );
      await page.reload();
      await page.waitForFunction(() => window.eolgul?.error, null, { timeout: 90_000 });
      expect(await page.evaluate(() => window.eolgul.error)).toContain('GALLERY_MISMATCH');
      expect(await page.locator('#status').innerText()).toContain('another embedding model');
      page.once('dialog', (d) => void d.accept());
      await page.locator('#status button').click();
      await page.waitForFunction(() => window.eolgul?.ready, null, { timeout: 90_000 });
      expect(await page.locator('#status').innerText()).toContain('Nobody signed up yet');
    } finally {
      await context.close();
    }
    pageErrors.splice(0); // the refused gallery is reported as an uncaught page error, on purpose
  }, 180_000);
});
