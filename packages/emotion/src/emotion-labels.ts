/**
 * The seven expression labels and their fixed order.
 * @module
 */

/** One of the seven basic expressions of FER2013 (Goodfellow et al., 2013). */
export type EmotionLabel = 'angry' | 'disgust' | 'fear' | 'happy' | 'sad' | 'surprise' | 'neutral';

/**
 * The seven labels in their documented order: angry, disgust, fear, happy, sad, surprise, neutral. This is FER2013's
 * class index order (0 = angry … 6 = neutral), the order of the bundled model's outputs and of every
 * `scores` record eolgul returns.
 */
export const EMOTION_LABELS: readonly EmotionLabel[] = Object.freeze([
  'angry',
  'disgust',
  'fear',
  'happy',
  'sad',
  'surprise',
  'neutral',
] as const);

/** Result of classifying one face. */
export interface EmotionResult {
  /** The label with the highest score. */
  label: EmotionLabel;
  /** Its score, the probability in [0, 1]. */
  score: number;
  /** Probability of each label, keys in {@link EMOTION_LABELS} order; values in [0, 1] that sum to 1. */
  scores: Record<EmotionLabel, number>;
}

/** `true` when `s` is one of {@link EMOTION_LABELS}. */
export function isEmotionLabel(s: unknown): s is EmotionLabel {
  return typeof s === 'string' && (EMOTION_LABELS as readonly string[]).includes(s);
}
