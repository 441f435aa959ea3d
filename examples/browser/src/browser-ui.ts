import { EolgulError } from 'eolgul';

/**
 * The page's elements and what draws into them: status line, camera overlay, the list of faces in view, the
 * "Is this you?" prompt, the sign-up log, downloads. No model, no gallery.
 * @module
 */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The elements of index.html. */
export const ui = {
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
  challenge: $<HTMLParagraphElement>('signup-challenge'),
  liveness: $<HTMLParagraphElement>('signup-liveness'),
  signupLog: $<HTMLUListElement>('signup-log'),
  people: $<HTMLUListElement>('people'),
  peopleCount: $<HTMLSpanElement>('people-count'),
  exportBtn: $<HTMLButtonElement>('export'),
  importInput: $<HTMLInputElement>('import'),
  galleryMessage: $<HTMLParagraphElement>('gallery-message'),
};

/** What the page shows for one face; also kept in `window.eolgul.frames` for tests and benchmarks. */
export interface FaceView {
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

/** A typed error as its message and stable code; anything else as its message. */
export function describeError(err: unknown): string {
  if (err instanceof EolgulError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

/** Shows `text` in the status line (red when `error`). */
export function setStatus(text: string, error = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', error);
}

/** Shows `text` under an action (sign-up, gallery), red when `error`. */
export function showMessage(el: HTMLElement, text: string, error = false): void {
  el.textContent = text;
  el.classList.toggle('error', error);
}

const fmt = (d: number | null) => (d === null ? '–' : d.toFixed(2));

/**
 * Draws a box and a label per face over the frame already on the canvas.
 * @param signingUp the name being signed up (boxes then say so), or `null`.
 */
export function drawFaces(ctx: CanvasRenderingContext2D, faces: readonly FaceView[], signingUp: string | null): void {
  ctx.lineWidth = 3;
  ctx.font = '16px system-ui, sans-serif';
  ctx.textBaseline = 'bottom';
  for (const f of faces) {
    const [x, y, w, h] = f.box;
    const colour = signingUp !== null ? '#2a7de1' : f.identity ? '#1fbf5a' : '#ff8c1a';
    ctx.strokeStyle = colour;
    ctx.strokeRect(x, y, w, h);
    const label =
      signingUp !== null
        ? `signing up ${signingUp}`
        : `${f.identity ?? 'unknown'} · ${fmt(f.distance)}${f.emotion ? ` · ${f.emotion}` : ''}`;
    const tw = ctx.measureText(label).width + 8;
    const ly = y > 22 ? y : y + h + 22;
    ctx.fillStyle = colour;
    ctx.fillRect(x - 1.5, ly - 22, tw, 22);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, x + 3, ly - 3);
  }
}

/** The "Faces in view" list: name or unknown (with the nearest name), L2 distance, emotion. */
export function renderFaces(faces: readonly FaceView[]): void {
  ui.faces.replaceChildren(
    ...faces.map((f) => {
      const li = document.createElement('li');
      li.className = f.identity ? 'known' : 'unknown';
      li.dataset.identity = f.identity ?? '';
      li.dataset.distance = f.distance === null ? '' : String(f.distance);
      li.dataset.emotion = f.emotion ?? '';
      const who = f.identity ?? 'unknown';
      const near = !f.identity && f.nearest ? ` (nearest ${f.nearest})` : '';
      const score = f.emotionScore !== null ? ` ${(f.emotionScore * 100).toFixed(0)} %` : '';
      li.textContent = `${who}${near} — L2 ${fmt(f.distance)} — ${f.emotion ?? '…'}${score}`;
      return li;
    }),
  );
}

/** Shows "Is this you, <identity>?", or hides it (`null`). */
export function showPrompt(identity: string | null): void {
  ui.prompt.hidden = identity === null;
  ui.promptName.textContent = identity ?? '';
}

/** Adds a skipped-frame reason to the sign-up log (repeats are counted on one line; the last 30 lines are kept). */
export function logSkip(message: string): void {
  showMessage(ui.signupMessage, message);
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

/** Saves `data` as a file named `name`. */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
