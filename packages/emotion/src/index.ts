/**
 * `@eolgul/emotion`: a 7-class facial expression classifier (angry, disgust, fear, happy, sad, surprise, neutral)
 * over a detected or already cropped face, on ONNX Runtime or TensorFlow.js through `@eolgul/runtime`.
 * @packageDocumentation
 */
export { EMOTION_LABELS, isEmotionLabel, type EmotionLabel, type EmotionResult } from './emotion-labels.js';
export {
  createEmotionClassifier,
  emotionModelSpec,
  DEFAULT_EMOTION_CONFIG,
  type EmotionClassifier,
  type EmotionClassifierConfig,
  type EmotionModelSpec,
  type EmotionModelPreset,
  type EmotionNormalize,
} from './emotion-classifier.js';
export { checkBox, checkRgbImage, cropSquare, resampleRgb, type CropRect } from './emotion-crop.js';
