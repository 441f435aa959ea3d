import type { Gallery } from '@eolgul/gallery';
import {
  checkEnrollmentQuality,
  createHeadTurnChallenge,
  type ChallengeStatus,
  type DetectedFace,
  type FaceRecognizer,
  type HeadTurnChallenge,
  type QualityReason,
  type RecognizedFace,
} from 'eolgul';
import { captureImageId, nextCaptureNumber } from './browser-pair.js';
import { SignupCapture, signupRefusal } from './browser-signup.js';
import { describeError, logSkip, showMessage, showPrompt, ui } from './browser-ui.js';

/**
 * The sign-up on the page. The user types a name; then every camera frame with one face is analysed by the recognizer
 * (embedding, head pose, eyes, sharpness, passive liveness) and
 * - fed to the active head-turn challenge (`createHeadTurnChallenge`: face the camera, turn to one side, then the
 *   other, within its time limit): a printed photo or a still picture cannot pass it;
 * - offered as a photo: `SignupCapture` skips frames with no face, several faces or a small face, then the enrollment
 *   quality gate (`checkEnrollmentQuality`, the rules `enroll` applies with `quality`) refuses a blurred, turned,
 *   eyes-closed photo or a near-copy of one already taken, each refusal with its reason on screen.
 * Once the challenge is passed and enough photos are taken, their embeddings are enrolled in the gallery (all or
 * nothing) under the image ids `<name>_<k>.jpg`. Passive liveness is advisory: shown per frame and recorded with the
 * sign-up, never a reason to refuse (camera frames differ from the data it was tuned on). Frames are never stored.
 * @module
 */

/** Passive liveness scores of the analysed frames of one sign-up (advisory). */
export interface LivenessSummary {
  /** Frames scored. */
  frames: number;
  /** Frames the model took as live. */
  live: number;
  /** Lowest and mean score, in [0, 1] (higher = more live). */
  min: number;
  mean: number;
}

/** How a sign-up ended; the page keeps these in `window.eolgul.signupAttempts`. */
export interface SignupAttempt {
  name: string;
  /** `'stored'`, or why nothing was stored. */
  outcome: 'stored' | 'challenge-failed' | 'timeout' | 'enroll-failed';
  message: string;
  /** The head-turn challenge's last status (`elapsedMs`: from the first frontal frame to its end). */
  challenge: Pick<ChallengeStatus, 'state' | 'reason' | 'elapsedMs'>;
  liveness: LivenessSummary;
}

/** What a finished sign-up stored; the page keeps these in `window.eolgul.signups`. */
export interface SignupRecord extends SignupAttempt {
  photos: number;
  /** Frames skipped before the quality gate, per reason. */
  skipped: Record<string, number>;
  /** Photos refused by the quality gate, per reason. */
  refused: Partial<Record<QualityReason, number>>;
  imageIds: string[];
}

/** Options of {@link SignupFlow}. */
export interface SignupFlowOptions {
  /** Photos to take. */
  photos: number;
  /** Least time between two kept photos, milliseconds. */
  captureIntervalMs: number;
  /** Time allowed for the whole sign-up, milliseconds. */
  timeoutMs: number;
  /** Time allowed for the head-turn challenge from the first frontal frame, milliseconds. */
  challengeTimeoutMs: number;
}

/** One sign-up at a time, driven by the camera loop. */
export class SignupFlow {
  private capture: SignupCapture | null = null;
  private challenge: HeadTurnChallenge | null = null;
  private embeddings: Float32Array[] = [];
  private refused: Partial<Record<QualityReason, number>> = {};
  private scores: number[] = [];
  private liveFrames = 0;
  private started = 0;

  /** @param onDone called when a sign-up ends (stored or not). */
  constructor(
    private readonly recognizer: FaceRecognizer,
    private readonly gallery: Gallery,
    private readonly options: SignupFlowOptions,
    private readonly onDone: (attempt: SignupAttempt | SignupRecord) => void,
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
    this.capture = new SignupCapture(name, addToExisting, {
      target: this.options.photos,
      minIntervalMs: this.options.captureIntervalMs,
    });
    this.challenge = createHeadTurnChallenge({ timeoutMs: this.options.challengeTimeoutMs });
    this.embeddings = [];
    this.refused = {};
    this.scores = [];
    this.liveFrames = 0;
    this.started = performance.now();
    ui.signupLog.replaceChildren();
    showMessage(ui.signupMessage, `Look at the camera, ${this.capture.name}: taking ${this.capture.target} photos…`);
    showMessage(ui.challenge, this.challenge.status.prompt);
    ui.progress.max = this.capture.target;
    ui.progress.value = 0;
    this.showRunning(true);
    showPrompt(null);
  }

  /** Stops the sign-up; nothing is stored. */
  cancel(): void {
    this.capture = null;
    this.challenge = null;
    this.showRunning(false);
    showMessage(ui.challenge, '');
    showMessage(ui.signupMessage, 'Sign-up cancelled; nothing was stored.');
  }

  /**
   * Offers one camera frame and its detected faces: analyses a lone face, feeds the challenge, keeps the frame as a
   * photo when it passes the rules, and enrolls once the challenge is passed and enough photos are kept.
   * @param now time of the frame, milliseconds (`performance.now()`).
   */
  async offer(frame: ImageData, faces: readonly DetectedFace[], now: number): Promise<void> {
    const { capture, challenge } = this;
    if (!capture || !challenge) return;
    const decision = capture.offer(
      faces.map((f) => f.box),
      now,
    );
    if (decision.action === 'skip') logSkip(decision.message);
    let face: RecognizedFace | undefined;
    if (faces.length === 1) [face] = (await this.recognizer.analyse(frame, { faces })).faces;
    if (face?.liveness) {
      this.scores.push(face.liveness.score);
      if (face.liveness.live) this.liveFrames++;
      ui.liveness.textContent = `passive liveness ${face.liveness.score.toFixed(2)} (${face.liveness.live ? 'live' : 'looks like a photo'}; advisory)`;
    }
    const status = challenge.update({
      time: now,
      faceCount: faces.length,
      yaw: face?.attributes?.pose.yaw,
      embedding: face?.embedding,
    });
    showMessage(
      ui.challenge,
      status.state === 'passed' ? 'Head turn: done ✓' : status.prompt,
      status.state === 'failed',
    );
    if (status.state === 'failed') return this.finish('challenge-failed', `head-turn check failed: ${status.prompt}`);
    if (face && decision.action === 'capture' && !capture.done) this.take(capture, face, now);
    if (capture.done && status.state === 'passed') return this.enroll(capture);
    if (now - this.started > this.options.timeoutMs) {
      const missing = capture.done ? 'the head turn was not seen' : `only ${capture.captured} photos were usable`;
      return this.finish('timeout', `no sign-up within ${this.options.timeoutMs / 1000} s: ${missing}`);
    }
  }

  /** Applies the enrollment quality gate to a one-face frame and keeps its embedding when it passes. */
  private take(capture: SignupCapture, face: RecognizedFace, now: number): void {
    const problems = checkEnrollmentQuality({
      faceCount: 1,
      face,
      sharpness: face.sharpness,
      attributes: face.attributes,
      embedding: face.embedding,
      previous: this.embeddings,
    });
    if (problems.length > 0) {
      for (const p of problems) this.refused[p.reason] = (this.refused[p.reason] ?? 0) + 1;
      logSkip(`refused: ${problems.map((p) => p.message).join('; ')}`);
      return;
    }
    this.embeddings.push(face.embedding);
    capture.commit(now);
    ui.progress.value = capture.captured;
    showMessage(ui.signupMessage, `photo ${capture.captured} of ${capture.target} taken`);
  }

  private async enroll(capture: SignupCapture): Promise<void> {
    try {
      const name = capture.name.normalize('NFC');
      const first = nextCaptureNumber(name, this.gallery.imagesOf(name));
      const imageIds = this.embeddings.map((_, i) => captureImageId(name, first + i));
      // The embeddings were computed by the recognizer from these frames and passed its quality gate; passive
      // liveness stays advisory, so they go to the gallery directly rather than through `recognizer.enroll`.
      await this.gallery.enroll(name, this.embeddings, imageIds);
      const skipped = Object.values(capture.skipped).reduce((a, b) => a + b, 0);
      const refused = Object.values(this.refused).reduce((a, b) => a + b, 0);
      const counts = `${skipped} frames skipped, ${refused} photos refused`;
      const message = capture.addToExisting
        ? `Added ${imageIds.length} photos to ${name}'s profile (${counts}).`
        : `Signed up ${name} with ${imageIds.length} photos (${counts}).`;
      const record: SignupRecord = {
        ...this.attempt(name, 'stored', message),
        photos: imageIds.length,
        skipped: { ...capture.skipped },
        refused: { ...this.refused },
        imageIds,
      };
      this.end(record, false);
    } catch (err) {
      this.finish('enroll-failed', describeError(err));
    }
  }

  /** Ends the sign-up without storing anything. */
  private finish(outcome: Exclude<SignupAttempt['outcome'], 'stored'>, why: string): void {
    this.end(this.attempt(this.capture?.name ?? '', outcome, `Sign-up failed, nothing was stored: ${why}`), true);
  }

  private attempt(name: string, outcome: SignupAttempt['outcome'], message: string): SignupAttempt {
    const { state, reason, elapsedMs } = this.challenge?.status ?? { state: 'waiting', elapsedMs: 0 };
    const s = this.scores;
    const liveness = {
      frames: s.length,
      live: this.liveFrames,
      min: s.length ? Math.min(...s) : 0,
      mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0,
    };
    return { name, outcome, message, challenge: { state, reason, elapsedMs }, liveness };
  }

  private end(attempt: SignupAttempt | SignupRecord, error: boolean): void {
    this.capture = null;
    this.challenge = null;
    this.embeddings = [];
    showMessage(ui.signupMessage, attempt.message, error);
    this.showRunning(false);
    this.onDone(attempt);
  }

  private showRunning(running: boolean): void {
    ui.progress.hidden = !running;
    ui.cancel.hidden = !running;
    ui.signup.disabled = running;
  }
}
