import { EolgulError, GalleryMismatchError, type FaceDetection, type RgbImage } from '@eolgul/core';
import { alignFace } from '@eolgul/detector';
import type { EmotionResult } from '@eolgul/emotion';
import type { GallerySession } from '@eolgul/gallery';
import { loadEngine, type Engine, type TfBackendChoice } from './browser-engine.js';
import { BrowserGallery } from './browser-gallery-db.js';
import { rgbFromImageData } from './browser-image.js';
import { SignupCapture, signupRefusal } from './browser-signup.js';
import { ConfirmSchedule, FaceTracker, FpsMeter } from './browser-tracking.js';

/**
 * The page: camera → detect every frame → (per tracked face) embed + emotion → identify against the IndexedDB
 * gallery → boxes, labels, "Is this you?" prompt. Settings come from the query string (see {@link settings}).
 * @module
 */

const params = new URLSearchParams(location.search);
const num = (key: string, dflt: number) => {
  const v = Number(params.get(key));
  return params.has(key) && Number.isFinite(v) ? v : dflt;
};

/**
 * Query-string settings, with defaults:
 * - `refresh` (ms, default 200): a tracked face's embedding is recomputed when older than this; 0 = every frame;
 * - `emotionRefresh` (ms, default 200): the same for its emotion;
 * - `threshold` (L2 distance, default: `DEFAULT_THRESHOLD` of `@eolgul/facenet`, 1.10);
 * - `confirmEvery` (ms, default 3000): least time between two "Is this you?" questions;
 * - `captureInterval` (ms, default 300): least time between two sign-up photos;
 * - `pipeline` (`0`, default: one frame at a time; `1`: a frame's embedding/emotion overlap the next frame's detection,
 *   which did not raise the frame rate on the shared 2-core machine it was measured on, and adds latency);
 * - `threads` (onnxruntime-web wasm threads, default 1); `proxy` (`1`, default: onnxruntime-web runs in its own worker;
 *   `0`: on the page's thread); `tf` (`auto` | `wasm` | `webgl`); `width`, `height` (camera, default 640×480).
 */
const settings = {
  refreshMs: num('refresh', 200),
  emotionRefreshMs: num('emotionRefresh', 200),
  threshold: params.has('threshold') ? num('threshold', NaN) : undefined,
  confirmEveryMs: num('confirmEvery', 3000),
  captureIntervalMs: num('captureInterval', 300),
  threads: params.has('threads') ? num('threads', 1) : undefined,
  proxy: params.get('proxy') !== '0',
  pipeline: params.get('pipeline') === '1',
  tf: (params.get('tf') ?? 'auto') as TfBackendChoice,
  width: num('width', 640),
  height: num('height', 480),
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  status: $<HTMLParagraphElement>('status'),
  fps: $<HTMLSpanElement>('fps'),
  backend: $<HTMLSpanElement>('backend'),
  view: $<HTMLCanvasElement>('view'),
  video: $<HTMLVideoElement>('camera'),
  prompt: $<HTMLDivElement>('prompt'),
  promptName: $<HTMLElement>('prompt-name'),
  yes: $<HTMLButtonElement>('yes'),
  no: $<HTMLButtonElement>('no'),
  greeting: $<HTMLParagraphElement>('greeting'),
  faces: $<HTMLUListElement>('faces'),
  rejected: $<HTMLParagraphElement>('rejected'),
  form: $<HTMLFormElement>('signup-form'),
  name: $<HTMLInputElement>('name'),
  addPhotos: $<HTMLInputElement>('add-photos'),
  signup: $<HTMLButtonElement>('signup'),
  cancel: $<HTMLButtonElement>('cancel-signup'),
  progress: $<HTMLProgressElement>('signup-progress'),
  signupMessage: $<HTMLParagraphElement>('signup-message'),
  signupLog: $<HTMLUListElement>('signup-log'),
  people: $<HTMLUListElement>('people'),
  peopleCount: $<HTMLSpanElement>('people-count'),
  exportBtn: $<HTMLButtonElement>('export'),
  importInput: $<HTMLInputElement>('import'),
  galleryMessage: $<HTMLParagraphElement>('gallery-message'),
};

/** What the page shows for one face; also kept in `window.eolgul.frames` for tests and benchmarks. */
interface FaceView {
  box: [number, number, number, number];
  /** Accepted identity, or `null` (unknown). */
  identity: string | null;
  /** Nearest enrolled identity (accepted or not), `null` with an empty gallery. */
  nearest: string | null;
  /** L2 distance to `nearest`. */
  distance: number | null;
  emotion: string | null;
  emotionScore: number | null;
  /** Whether this frame computed a new embedding for the face. */
  fresh: boolean;
}

interface FrameRecord {
  t: number;
  mode: 'recognise' | 'signup';
  faces: FaceView[];
  /** Time spent on the frame, milliseconds: detection, embedding, emotion, all. */
  ms: { detect: number; embed: number; emotion: number; total: number };
}

interface TrackData {
  embedding?: Float32Array;
  embeddedAt: number;
  emotion?: EmotionResult;
  emotionAt: number;
}

/** State exposed for the end-to-end test and the benchmark (read-only use). */
const state = {
  ready: false,
  error: null as string | null,
  frames: [] as FrameRecord[],
  frameCount: 0,
  prompts: [] as { identity: string; at: number; answer?: 'yes' | 'no' }[],
  signups: [] as { name: string; photos: number; skipped: Record<string, number>; imageIds: string[] }[],
  settings,
  backends: '',
  loadMs: 0,
  fps: 0,
};
(window as unknown as { eolgul: typeof state }).eolgul = state;

let engine: Engine;
let gallery: BrowserGallery;
let session: GallerySession;
let signup: { capture: SignupCapture; embeddings: Float32Array[] } | null = null;
const tracker = new FaceTracker<TrackData>(() => ({ embeddedAt: -Infinity, emotionAt: -Infinity }));
let schedule = new ConfirmSchedule(settings.confirmEveryMs, performance.now());
const fpsMeter = new FpsMeter(2000);

function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
}

function describe(err: unknown): string {
  if (err instanceof EolgulError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

function renderPeople(): void {
  const names = gallery.identities();
  ui.people.replaceChildren(
    ...names.map((n) => {
      const li = document.createElement('li');
      li.dataset.identity = n;
      const text = document.createElement('span');
      text.textContent = `${n} — ${gallery.countOf(n)} photos `;
      const del = document.createElement('button');
      del.type = 'button';
      del.textContent = 'Delete';
      del.addEventListener('click', async () => {
        if (!confirm(`Delete ${n} and all their photos?`)) return;
        await gallery.removeIdentity(n);
        tracker.clear();
        renderPeople();
      });
      li.append(text, del);
      return li;
    }),
  );
  ui.peopleCount.textContent = `(${names.length})`;
}

function renderRejected(): void {
  const r = session.rejected();
  ui.rejected.textContent = r.length ? `Not you, this session: ${r.join(', ')}` : '';
}

function fmt(d: number | null): string {
  return d === null ? '–' : d.toFixed(2);
}

function draw(faces: FaceView[], signingUp: boolean): void {
  const ctx = ui.view.getContext('2d') as CanvasRenderingContext2D;
  ctx.lineWidth = 3;
  ctx.font = '16px system-ui, sans-serif';
  ctx.textBaseline = 'bottom';
  for (const f of faces) {
    const [x, y, w, h] = f.box;
    const colour = signingUp ? '#2a7de1' : f.identity ? '#1fbf5a' : '#ff8c1a';
    ctx.strokeStyle = colour;
    ctx.strokeRect(x, y, w, h);
    const label = signingUp
      ? `signing up${signup ? ` ${signup.capture.name}` : ''}`
      : `${f.identity ?? 'unknown'} · ${fmt(f.distance)}${f.emotion ? ` · ${f.emotion}` : ''}`;
    const tw = ctx.measureText(label).width + 8;
    const ly = y > 22 ? y : y + h + 22;
    ctx.fillStyle = colour;
    ctx.fillRect(x - 1.5, ly - 22, tw, 22);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, x + 3, ly - 3);
  }
}

function renderFaces(faces: FaceView[]): void {
  ui.faces.replaceChildren(
    ...faces.map((f) => {
      const li = document.createElement('li');
      li.className = f.identity ? 'known' : 'unknown';
      li.dataset.identity = f.identity ?? '';
      li.dataset.distance = f.distance === null ? '' : String(f.distance);
      li.dataset.emotion = f.emotion ?? '';
      const who = f.identity ?? 'unknown';
      const near = !f.identity && f.nearest ? ` (nearest ${f.nearest})` : '';
      li.textContent = `${who}${near} — L2 ${fmt(f.distance)} — ${f.emotion ?? '…'}${f.emotionScore !== null ? ` ${(f.emotionScore * 100).toFixed(0)} %` : ''}`;
      return li;
    }),
  );
}

function showPrompt(identity: string | null): void {
  ui.prompt.hidden = identity === null;
  ui.promptName.textContent = identity ?? '';
}

async function recognise(
  image: RgbImage,
  faces: FaceDetection[],
  now: number,
  ms: FrameRecord['ms'],
): Promise<FaceView[]> {
  const tracks = tracker.update(
    faces.map((f) => f.box),
    now,
  );
  const views: FaceView[] = [];
  for (let i = 0; i < faces.length; i++) {
    const f = faces[i];
    const t = tracks[i].data;
    const fresh = !t.embedding || now - t.embeddedAt >= settings.refreshMs;
    // The embedder (onnxruntime-web, in its worker with ?proxy=1) and the emotion model (tfjs, on this thread) run
    // side by side.
    await Promise.all([
      fresh &&
        (async () => {
          const t0 = performance.now();
          t.embedding = await engine.facenet.embed(alignFace(image, f.landmarks, engine.facenet.inputSize));
          t.embeddedAt = now;
          ms.embed += performance.now() - t0;
        })(),
      (!t.emotion || now - t.emotionAt >= settings.emotionRefreshMs) &&
        (async () => {
          const t0 = performance.now();
          t.emotion = await engine.emotion.classify(image, f.box);
          t.emotionAt = now;
          ms.emotion += performance.now() - t0;
        })(),
    ]);
    if (!t.embedding || !t.emotion) continue;
    const [m] = gallery.size ? session.identify(t.embedding, { k: 1, threshold: gallery.threshold }) : [];
    views.push({
      box: f.box,
      identity: m?.accepted ? m.identity : null,
      nearest: m?.identity ?? null,
      distance: m?.distance ?? null,
      emotion: t.emotion.label,
      emotionScore: t.emotion.score,
      fresh,
    });
  }
  let best: FaceView | null = null;
  for (const v of views) if (v.identity && (!best || (v.distance ?? 9) < (best.distance ?? 9))) best = v;
  const action = schedule.update(best?.identity ? { identity: best.identity } : null, now);
  if (action.kind === 'ask') {
    state.prompts.push({ identity: action.identity, at: now });
    showPrompt(action.identity);
  }
  return views;
}

function logSkip(message: string): void {
  ui.signupMessage.textContent = message;
  ui.signupMessage.classList.remove('error');
  const last = ui.signupLog.firstElementChild as HTMLLIElement | null;
  if (last && last.dataset.message === message) {
    const n = Number(last.dataset.count) + 1;
    last.dataset.count = String(n);
    last.textContent = `${message} (×${n})`;
    return;
  }
  const li = document.createElement('li');
  li.dataset.message = message;
  li.dataset.count = '1';
  li.textContent = message;
  ui.signupLog.prepend(li);
  while (ui.signupLog.children.length > 30) ui.signupLog.lastElementChild?.remove();
}

async function signupStep(image: RgbImage, faces: FaceDetection[], now: number, ms: FrameRecord['ms']): Promise<void> {
  if (!signup) return;
  const s = signup;
  const d = s.capture.offer(
    faces.map((f) => f.box),
    now,
  );
  if (d.action === 'skip') logSkip(d.message);
  if (d.action !== 'capture') return;
  const t0 = performance.now();
  s.embeddings.push(await engine.facenet.embed(alignFace(image, faces[0].landmarks, engine.facenet.inputSize)));
  ms.embed += performance.now() - t0;
  s.capture.commit(now);
  ui.progress.value = s.capture.captured;
  ui.signupMessage.textContent = `photo ${s.capture.captured} of ${s.capture.target} taken`;
  if (!s.capture.done) return;
  signup = null;
  try {
    const ids = await gallery.enroll(s.capture.name, s.embeddings);
    state.signups.push({ name: s.capture.name, photos: ids.length, skipped: { ...s.capture.skipped }, imageIds: ids });
    const skipped = Object.values(s.capture.skipped).reduce((a, b) => a + b, 0);
    ui.signupMessage.textContent = s.capture.addToExisting
      ? `Added ${ids.length} photos to ${s.capture.name}'s profile (${skipped} frames skipped).`
      : `Signed up ${s.capture.name} with ${ids.length} photos (${skipped} frames skipped).`;
  } catch (err) {
    ui.signupMessage.textContent = `Sign-up failed: ${describe(err)}`;
    ui.signupMessage.classList.add('error');
  }
  endSignupUi();
  tracker.clear();
  renderPeople();
}

function endSignupUi(): void {
  ui.progress.hidden = true;
  ui.cancel.hidden = true;
  ui.signup.disabled = false;
}

function startSignup(): void {
  const name = ui.name.value;
  const refusal = signupRefusal(name, gallery.identities(), ui.addPhotos.checked);
  if (refusal) {
    ui.signupMessage.textContent = refusal;
    ui.signupMessage.classList.add('error');
    return;
  }
  signup = {
    capture: new SignupCapture(name, ui.addPhotos.checked, { minIntervalMs: settings.captureIntervalMs }),
    embeddings: [],
  };
  ui.signupLog.replaceChildren();
  ui.signupMessage.classList.remove('error');
  ui.signupMessage.textContent = `Look at the camera, ${signup.capture.name}: taking ${signup.capture.target} photos…`;
  ui.progress.max = signup.capture.target;
  ui.progress.value = 0;
  ui.progress.hidden = false;
  ui.cancel.hidden = false;
  ui.signup.disabled = true;
  showPrompt(null);
}

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function wireUi(): void {
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    startSignup();
  });
  ui.cancel.addEventListener('click', () => {
    signup = null;
    endSignupUi();
    ui.signupMessage.textContent = 'Sign-up cancelled; nothing was stored.';
  });
  ui.yes.addEventListener('click', () => {
    const who = schedule.answer(true, performance.now());
    if (who === null) return;
    state.prompts[state.prompts.length - 1].answer = 'yes';
    showPrompt(null);
    ui.greeting.textContent = `Hello, ${who}! Nice to see you.`;
    ui.greeting.hidden = false;
    setTimeout(() => (ui.greeting.hidden = true), 6000);
  });
  ui.no.addEventListener('click', () => {
    const who = schedule.answer(false, performance.now());
    if (who === null) return;
    state.prompts[state.prompts.length - 1].answer = 'no';
    session.reject(who);
    showPrompt(null);
    renderRejected();
  });
  ui.exportBtn.addEventListener('click', async () => {
    try {
      const { npy, csv } = await gallery.exportPair();
      download('eolgul-gallery.npy', npy as Uint8Array<ArrayBuffer>, 'application/octet-stream');
      download('eolgul-gallery.csv', csv, 'text/csv');
      ui.galleryMessage.textContent = `Exported ${gallery.size} embeddings: eolgul-gallery.npy + eolgul-gallery.csv (eolgul gallery import reads them).`;
      ui.galleryMessage.classList.remove('error');
    } catch (err) {
      ui.galleryMessage.textContent = `Export failed: ${describe(err)}`;
      ui.galleryMessage.classList.add('error');
    }
  });
  ui.importInput.addEventListener('change', async () => {
    const files = [...(ui.importInput.files ?? [])];
    ui.importInput.value = '';
    const npy = files.find((f) => f.name.toLowerCase().endsWith('.npy'));
    const csv = files.find((f) => f.name.toLowerCase().endsWith('.csv'));
    if (!npy || !csv) {
      ui.galleryMessage.textContent = 'Pick two files: the .npy and the .csv of one export.';
      ui.galleryMessage.classList.add('error');
      return;
    }
    try {
      const r = await gallery.importPair(new Uint8Array(await npy.arrayBuffer()), await csv.text(), {
        npy: npy.name,
        csv: csv.name,
      });
      ui.galleryMessage.textContent = `Imported ${r.added} embeddings (${r.identities.join(', ') || 'none new'}); ${r.skipped} already here.`;
      ui.galleryMessage.classList.remove('error');
      tracker.clear();
      renderPeople();
    } catch (err) {
      ui.galleryMessage.textContent = `Import failed: ${describe(err)}`;
      ui.galleryMessage.classList.add('error');
    }
  });
}

/** Resolves when the video has a frame the loop has not analysed yet. */
function frameWaiter(video: HTMLVideoElement): () => Promise<void> {
  let presented = 0;
  let consumed = 0;
  let wake: (() => void) | null = null;
  const onFrame: VideoFrameRequestCallback = (_now, meta) => {
    presented = meta.presentedFrames;
    wake?.();
    wake = null;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  return async () => {
    if (presented <= consumed) await new Promise<void>((r) => (wake = r));
    consumed = presented;
  };
}

/**
 * The camera loop, in two stages: (A) grab a new frame and detect its faces, (B) embed, classify, identify and draw.
 * With `?pipeline=1`, B of frame N runs while A of frame N+1 runs: onnxruntime-web (in its worker) and
 * the page's thread (image work, tfjs emotion, drawing) are then both kept busy. B stages still run one after another,
 * in frame order.
 */
async function loop(): Promise<void> {
  const W = ui.video.videoWidth || settings.width;
  const H = ui.video.videoHeight || settings.height;
  ui.view.width = W;
  ui.view.height = H;
  const viewCtx = ui.view.getContext('2d') as CanvasRenderingContext2D;
  const grab = Object.assign(document.createElement('canvas'), { width: W, height: H });
  const grabCtx = grab.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  const buffers = [new Uint8Array(W * H * 3), new Uint8Array(W * H * 3)];
  const next = frameWaiter(ui.video);
  let stageB: Promise<void> = Promise.resolve();
  for (let n = 0; ; n++) {
    await next();
    const t0 = performance.now();
    grabCtx.drawImage(ui.video, 0, 0, W, H);
    const pixels = grabCtx.getImageData(0, 0, W, H);
    const image = rgbFromImageData(pixels, buffers[n % 2]);
    const ms = { detect: 0, embed: 0, emotion: 0, total: 0 };
    let faces: FaceDetection[] | null = null;
    try {
      faces = await engine.detector.detect(image, { maxFaces: 8 });
    } catch (err) {
      setStatus(`Frame failed: ${describe(err)}`, true);
    }
    ms.detect = performance.now() - t0;
    await stageB;
    stageB = finishFrame(image, pixels, faces ?? [], t0, ms, viewCtx);
    if (!settings.pipeline) await stageB;
  }
}

/** Stage B of {@link loop}: everything after detection, then the drawing and the frame record. */
async function finishFrame(
  image: RgbImage,
  pixels: ImageData,
  faces: FaceDetection[],
  t0: number,
  ms: FrameRecord['ms'],
  viewCtx: CanvasRenderingContext2D,
): Promise<void> {
  const mode = signup ? 'signup' : 'recognise';
  let views: FaceView[] = [];
  try {
    if (signup) {
      views = faces.map((f) => ({
        box: f.box,
        identity: null,
        nearest: null,
        distance: null,
        emotion: null,
        emotionScore: null,
        fresh: false,
      }));
      await signupStep(image, faces, t0, ms);
    } else {
      views = await recognise(image, faces, t0, ms);
    }
  } catch (err) {
    setStatus(`Frame failed: ${describe(err)}`, true);
  }
  viewCtx.putImageData(pixels, 0, 0);
  draw(views, mode === 'signup');
  renderFaces(views);
  ms.total = performance.now() - t0;
  fpsMeter.tick(performance.now());
  state.fps = fpsMeter.fps;
  state.frameCount++;
  state.frames.push({ t: t0, mode, faces: views, ms });
  if (state.frames.length > 3000) state.frames.splice(0, 1000);
  if (state.frameCount % 5 === 0) ui.fps.textContent = `${state.fps.toFixed(1)} fps`;
}

async function main(): Promise<void> {
  wireUi();
  try {
    engine = await loadEngine({
      base: new URL('./', location.href).href,
      ortThreads: settings.threads,
      ortProxy: settings.proxy,
      tfBackend: settings.tf,
      onStatus: (m) => setStatus(`Loading: ${m}…`),
    });
    state.backends = engine.backends;
    state.loadMs = engine.loadMs;
    ui.backend.textContent = engine.backends;
    setStatus('Opening the gallery…');
    gallery = await BrowserGallery.open({
      dimension: engine.facenet.dimension,
      modelId: engine.facenet.modelId,
      threshold: settings.threshold ?? engine.threshold,
    });
    session = gallery.session();
    schedule = new ConfirmSchedule(settings.confirmEveryMs, performance.now());
    renderPeople();
    setStatus('Starting the camera…');
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: settings.width }, height: { ideal: settings.height } },
      audio: false,
    });
    ui.video.srcObject = stream;
    await ui.video.play();
    setStatus(
      `Ready in ${(engine.loadMs / 1000).toFixed(1)} s. ${gallery.size ? `${gallery.identities().length} people signed up.` : 'Nobody signed up yet: type your name and press Sign up.'}`,
    );
    state.ready = true;
    await loop();
  } catch (err) {
    state.error = describe(err);
    setStatus(`Error: ${state.error}`, true);
    if (err instanceof GalleryMismatchError) offerReset();
    throw err;
  }
}

/** After a gallery made with another embedding model: offer to delete it (its embeddings cannot be compared). */
function offerReset(): void {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Delete the stored gallery and start again';
  button.addEventListener('click', async () => {
    if (!confirm('Delete every stored face embedding in this browser?')) return;
    await BrowserGallery.deleteStored();
    location.reload();
  });
  ui.status.append(' The stored gallery was made with another embedding model. ', button);
}

void main();
