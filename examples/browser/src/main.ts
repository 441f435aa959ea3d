import { DEFAULT_INDEXEDDB_NAME, Gallery, deleteIndexedDbGallery, type GalleryStoreSession } from '@eolgul/gallery';
import {
  createFaceRecognizer,
  DEFAULT_HEAD_TURN_OPTIONS,
  GalleryMismatchError,
  type DetectedFace,
  type EmotionResult,
  type FaceRecognizer,
} from 'eolgul';
import { renderPeople, wireGalleryTransfer } from './browser-gallery-panel.js';
import { SignupFlow, type SignupAttempt, type SignupRecord } from './browser-signup-flow.js';
import { ConfirmSchedule, FaceTracker, FpsMeter } from './browser-tracking.js';
import { describeError, drawFaces, renderFaces, setStatus, showPrompt, ui, type FaceView } from './browser-ui.js';

/**
 * The page: camera → detect every frame (`recognizer.detect`) → per tracked face, now and then, embedding and emotion
 * (`recognizer.analyse` of those faces) → identify on every frame against the IndexedDB gallery → boxes, labels,
 * "Is this you?". Everything goes through `createFaceRecognizer` of `eolgul`; the gallery is its IndexedDB store.
 * @module
 */

const params = new URLSearchParams(location.search);
const num = (key: string, dflt: number) => {
  const v = Number(params.get(key));
  return params.has(key) && Number.isFinite(v) ? v : dflt;
};

/**
 * Query-string settings, with defaults:
 * - `refresh` (ms, default 200): a tracked face's embedding and emotion are recomputed when older than this; 0 = every
 *   frame;
 * - `threshold` (L2 distance, default: the embedder's calibrated threshold, 1.10);
 * - `confirmEvery` (ms, default 3000): least time between two "Is this you?" questions;
 * - `captureInterval` (ms, default 300): least time between two sign-up photos;
 * - `photos` (default 10): photos a sign-up takes;
 * - `signupTimeout` (ms, default 60000): time allowed for a whole sign-up;
 * - `challengeTimeout` (ms, default: the head-turn challenge's, 8000): time allowed for the head turn;
 * - `threads` (onnxruntime-web wasm threads, default 1); `width`, `height` (camera, default 640×480).
 */
const settings = {
  refreshMs: num('refresh', 200),
  threshold: params.has('threshold') ? num('threshold', Number.NaN) : undefined,
  confirmEveryMs: num('confirmEvery', 3000),
  captureIntervalMs: num('captureInterval', 300),
  signupPhotos: num('photos', 10),
  signupTimeoutMs: num('signupTimeout', 60_000),
  challengeTimeoutMs: num('challengeTimeout', DEFAULT_HEAD_TURN_OPTIONS.timeoutMs),
  threads: num('threads', 1),
  width: num('width', 640),
  height: num('height', 480),
};

interface FrameRecord {
  t: number;
  mode: 'recognise' | 'signup';
  faces: FaceView[];
  /** Time spent on the frame, milliseconds: detection, analysis of the refreshed faces (embedding + emotion), all. */
  ms: { detect: number; analyse: number; total: number };
}

/** A tracked face's latest embedding and emotion, and when they were computed. */
interface TrackData {
  embedding?: Float32Array;
  emotion?: EmotionResult;
  analysedAt: number;
}

/** State exposed for the end-to-end test and the benchmark (read-only use). */
const state = {
  ready: false,
  error: null as string | null,
  frames: [] as FrameRecord[],
  frameCount: 0,
  prompts: [] as { identity: string; at: number; answer?: 'yes' | 'no' }[],
  signups: [] as SignupRecord[],
  /** Every sign-up that ended, stored or not. */
  signupAttempts: [] as SignupAttempt[],
  settings,
  backends: `onnxruntime-web wasm ×${settings.threads}, tfjs wasm`,
  loadMs: 0,
  fps: 0,
};
(window as unknown as { eolgul: typeof state }).eolgul = state;

let recognizer: FaceRecognizer;
let gallery: Gallery;
/** "That is not me" answers of this page load: matching on a tracked face's cached embedding leaves them out. */
let session: GalleryStoreSession;
let signup: SignupFlow;
const tracker = new FaceTracker<TrackData>(() => ({ analysedAt: Number.NEGATIVE_INFINITY }));
let schedule = new ConfirmSchedule(settings.confirmEveryMs, performance.now());
const fpsMeter = new FpsMeter(2000);

/** Recognition of one frame: refresh stale tracks with `analyse`, then match every tracked face. */
async function recognise(frame: ImageData, faces: DetectedFace[], now: number, ms: FrameRecord['ms']) {
  const tracks = tracker
    .update(
      faces.map((f) => f.box),
      now,
    )
    .map((t) => t.data);
  const stale = faces.flatMap((_, i) =>
    !tracks[i].embedding || now - tracks[i].analysedAt >= settings.refreshMs ? [i] : [],
  );
  if (stale.length > 0) {
    const t0 = performance.now();
    const { faces: analysed } = await recognizer.analyse(frame, { faces: stale.map((i) => faces[i]) });
    ms.analyse = performance.now() - t0;
    stale.forEach((i, j) => {
      Object.assign(tracks[i], { embedding: analysed[j].embedding, emotion: analysed[j].emotion, analysedAt: now });
    });
  }
  const views: FaceView[] = [];
  for (const [i, f] of faces.entries()) {
    const { embedding, emotion } = tracks[i];
    if (!embedding) continue;
    const [m] = gallery.count() > 0 ? await session.identify(embedding, { threshold: recognizer.threshold }) : [];
    views.push({
      box: f.box,
      identity: m?.accepted ? m.identity : null,
      nearest: m?.identity ?? null,
      distance: m?.distance ?? null,
      emotion: emotion?.label ?? null,
      emotionScore: emotion?.score ?? null,
      fresh: stale.includes(i),
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

/** The camera loop: grab a new frame, detect, then sign up or recognise, draw and record. */
async function loop(): Promise<void> {
  const W = ui.video.videoWidth || settings.width;
  const H = ui.video.videoHeight || settings.height;
  ui.view.width = W;
  ui.view.height = H;
  const viewCtx = ui.view.getContext('2d') as CanvasRenderingContext2D;
  const grab = Object.assign(document.createElement('canvas'), { width: W, height: H });
  const grabCtx = grab.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
  const next = frameWaiter(ui.video);
  for (;;) {
    await next();
    const t0 = performance.now();
    grabCtx.drawImage(ui.video, 0, 0, W, H);
    // One still copy of the frame: detection and analysis must see the same pixels.
    const frame = grabCtx.getImageData(0, 0, W, H);
    const ms = { detect: 0, analyse: 0, total: 0 };
    const signingUp = signup.name;
    let views: FaceView[] = [];
    try {
      const { faces } = await recognizer.detect(frame, { maxFaces: 8 });
      ms.detect = performance.now() - t0;
      if (signingUp !== null) {
        views = faces.map((f) => ({ ...NO_MATCH, box: f.box }));
        await signup.offer(frame, faces, t0);
      } else {
        views = await recognise(frame, faces, t0, ms);
      }
    } catch (err) {
      setStatus(`Frame failed: ${describeError(err)}`, true);
    }
    viewCtx.putImageData(frame, 0, 0);
    drawFaces(viewCtx, views, signingUp);
    renderFaces(views);
    ms.total = performance.now() - t0;
    fpsMeter.tick(performance.now());
    state.fps = fpsMeter.fps;
    state.frameCount++;
    state.frames.push({ t: t0, mode: signingUp !== null ? 'signup' : 'recognise', faces: views, ms });
    if (state.frames.length > 3000) state.frames.splice(0, 1000);
    if (state.frameCount % 5 === 0) ui.fps.textContent = `${state.fps.toFixed(1)} fps`;
  }
}

const NO_MATCH = { identity: null, nearest: null, distance: null, emotion: null, emotionScore: null, fresh: false };

/** A change to the gallery (sign-up, deletion, import): tracked faces are matched again from scratch. */
function galleryChanged(): void {
  tracker.clear();
}

function wireUi(): void {
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    signup.start(ui.name.value, ui.addPhotos.checked);
  });
  ui.cancel.addEventListener('click', () => signup.cancel());
  ui.yes.addEventListener('click', () => {
    const who = schedule.answer(true, performance.now());
    if (who === null) return;
    state.prompts[state.prompts.length - 1].answer = 'yes';
    showPrompt(null);
    ui.greeting.textContent = `Hello, ${who}! Nice to see you.`;
    ui.greeting.hidden = false;
    setTimeout(() => {
      ui.greeting.hidden = true;
    }, 6000);
  });
  ui.no.addEventListener('click', () => {
    const who = schedule.answer(false, performance.now());
    if (who === null) return;
    state.prompts[state.prompts.length - 1].answer = 'no';
    session.reject(who);
    showPrompt(null);
    const r = session.rejected();
    ui.rejected.textContent = r.length ? `Not you, this session: ${r.join(', ')}` : '';
  });
  wireGalleryTransfer(gallery, galleryChanged);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  try {
    setStatus('Loading the models…');
    recognizer = await createFaceRecognizer({
      // The models and the runtimes' wasm sit in models/ beside the page (vite.config.ts copies them).
      modelBasePath: new URL('models/', location.href),
      gallery: DEFAULT_INDEXEDDB_NAME,
      emotion: 'fast',
      // The sign-up's checks: head pose, eyes and sharpness for the quality gate and the head-turn challenge; passive
      // liveness, shown and recorded (advisory).
      quality: true,
      liveness: true,
      threads: settings.threads,
      threshold: settings.threshold,
      onProgress: ({ file, loaded, total }) =>
        setStatus(`Loading ${file}: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB…`),
    });
    // A named gallery in the browser is the IndexedDB store of @eolgul/gallery: a Gallery (export, per-person counts).
    if (!(recognizer.gallery instanceof Gallery)) throw new Error('the IndexedDB gallery did not open as a Gallery');
    gallery = recognizer.gallery;
    session = gallery.session();
    state.loadMs = performance.now() - t0;
    ui.backend.textContent = state.backends;
    const { signupPhotos: photos, captureIntervalMs, signupTimeoutMs: timeoutMs, challengeTimeoutMs } = settings;
    const flowOptions = { photos, captureIntervalMs, timeoutMs, challengeTimeoutMs };
    signup = new SignupFlow(recognizer, gallery, flowOptions, (attempt) => {
      state.signupAttempts.push(attempt);
      if ('imageIds' in attempt) state.signups.push(attempt);
      galleryChanged();
      renderPeople(gallery, galleryChanged);
    });
    wireUi();
    schedule = new ConfirmSchedule(settings.confirmEveryMs, performance.now());
    renderPeople(gallery, galleryChanged);
    setStatus('Starting the camera…');
    ui.video.srcObject = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: settings.width }, height: { ideal: settings.height } },
      audio: false,
    });
    await ui.video.play();
    const people = gallery.identities().length;
    setStatus(
      `Ready in ${(state.loadMs / 1000).toFixed(1)} s. ${people ? `${people} people signed up.` : 'Nobody signed up yet: type your name and press Sign up.'}`,
    );
    state.ready = true;
    await loop();
  } catch (err) {
    state.error = describeError(err);
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
    await deleteIndexedDbGallery(DEFAULT_INDEXEDDB_NAME);
    location.reload();
  });
  ui.status.append(' The stored gallery was made with another embedding model. ', button);
}

void main();
