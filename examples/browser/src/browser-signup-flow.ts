import type { Gallery } from '@eolgul/gallery';
import type { DetectedFace, FaceRecognizer } from 'eolgul';
import { captureImageId, nextCaptureNumber } from './browser-pair.js';
import { SignupCapture, signupRefusal } from './browser-signup.js';
import { describeError, logSkip, showMessage, showPrompt, ui } from './browser-ui.js';

/**
 * The sign-up on the page: the user types a name, the camera loop offers each frame, frames with exactly one face large
 * enough are kept (`SignupCapture` decides and says why others are skipped), and once enough are kept they are enrolled
 * with the recognizer's `enroll` (each photo analysed again: exactly one face, all or nothing) under the image ids
 * `<name>_<k>.jpg`. Only the embeddings are stored; the frames are dropped.
 * @module
 */

/** What a finished sign-up stored; the page keeps these in `window.eolgul.signups`. */
export interface SignupRecord {
  name: string;
  photos: number;
  skipped: Record<string, number>;
  imageIds: string[];
}

/** One sign-up at a time, driven by the camera loop. */
export class SignupFlow {
  private capture: SignupCapture | null = null;
  private frames: ImageData[] = [];

  /**
   * @param captureIntervalMs least time between two kept frames, milliseconds.
   * @param onDone called after the enrollment (stored or refused), with the record when stored.
   */
  constructor(
    private readonly recognizer: FaceRecognizer,
    private readonly gallery: Gallery,
    private readonly captureIntervalMs: number,
    private readonly onDone: (record: SignupRecord | null) => void,
  ) {}

  /** The name being signed up, or `null` when no sign-up runs. */
  get name(): string | null {
    return this.capture?.name ?? null;
  }

  /** Starts a sign-up from the form, unless the name is refused (the reason is shown). */
  start(name: string, addToExisting: boolean): void {
    const refusal = signupRefusal(name, this.gallery.identities(), addToExisting);
    if (refusal) {
      showMessage(ui.signupMessage, refusal, true);
      return;
    }
    const capture = new SignupCapture(name, addToExisting, { minIntervalMs: this.captureIntervalMs });
    this.capture = capture;
    this.frames = [];
    ui.signupLog.replaceChildren();
    showMessage(ui.signupMessage, `Look at the camera, ${capture.name}: taking ${capture.target} photos…`);
    ui.progress.max = capture.target;
    ui.progress.value = 0;
    this.showRunning(true);
    showPrompt(null);
  }

  /** Stops the sign-up; nothing is stored. */
  cancel(): void {
    this.capture = null;
    this.frames = [];
    this.showRunning(false);
    showMessage(ui.signupMessage, 'Sign-up cancelled; nothing was stored.');
  }

  /**
   * Offers one camera frame and its detected faces; enrolls once enough frames are kept.
   * @param now time of the frame, milliseconds.
   */
  async offer(frame: ImageData, faces: readonly DetectedFace[], now: number): Promise<void> {
    const capture = this.capture;
    if (!capture) return;
    const d = capture.offer(
      faces.map((f) => f.box),
      now,
    );
    if (d.action === 'skip') logSkip(d.message);
    if (d.action !== 'capture') return;
    this.frames.push(frame);
    capture.commit(now);
    ui.progress.value = capture.captured;
    showMessage(ui.signupMessage, `photo ${capture.captured} of ${capture.target} taken`);
    if (capture.done) await this.enroll(capture, this.frames);
  }

  private async enroll(capture: SignupCapture, frames: ImageData[]): Promise<void> {
    this.capture = null;
    this.frames = [];
    let record: SignupRecord | null = null;
    try {
      const first = nextCaptureNumber(capture.name, this.gallery.imagesOf(capture.name));
      const imageIds = frames.map((_, i) => captureImageId(capture.name, first + i));
      const r = await this.recognizer.enroll(capture.name, frames, { imageIds });
      record = { name: r.identity, photos: r.imageIds.length, skipped: { ...capture.skipped }, imageIds: r.imageIds };
      const skipped = Object.values(capture.skipped).reduce((a, b) => a + b, 0);
      showMessage(
        ui.signupMessage,
        capture.addToExisting
          ? `Added ${record.photos} photos to ${record.name}'s profile (${skipped} frames skipped).`
          : `Signed up ${record.name} with ${record.photos} photos (${skipped} frames skipped).`,
      );
    } catch (err) {
      showMessage(ui.signupMessage, `Sign-up failed: ${describeError(err)}`, true);
    }
    this.showRunning(false);
    this.onDone(record);
  }

  private showRunning(running: boolean): void {
    ui.progress.hidden = !running;
    ui.cancel.hidden = !running;
    ui.signup.disabled = running;
  }
}
