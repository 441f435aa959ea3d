/**
 * `@eolgul/emotion`: a 7-class facial expression classifier (angry, disgust, fear, happy, sad, surprise, neutral)
 * over a detected or already cropped face, on ONNX Runtime or TensorFlow.js through `@eolgul/runtime`.
 * @packageDocumentation
 */
export { EMOTION_LABELS, isEmotionLabel, type EmotionLabel, type EmotionResult } from './emotion-labels.js';
export {
  createEmotionClassifier,
  DEFAULT_EMOTION_CONFIG,
  type EmotionClassifier,
  type EmotionClassifierConfig,
} from './emotion-classifier.js';
export {
  emotionModelSpec,
  type EmotionModelChoice,
  type EmotionModelPreset,
  type EmotionModelSpec,
  type EmotionNormalize,
} from './emotion-model-spec.js';
export { checkBox, checkRgbImage, cropSquare, resampleRgb, type CropRect } from './emotion-crop.js';
