import { InvalidArgumentError, InvalidEmbeddingError, validateEmbedding } from '@eolgul/core';

/**
 * Checks for identity names and image ids. Both are data, stored inside CSV files and never used as file names, so any
 * well-formed Unicode string is accepted (`../../x`, `a/b`, NUL, Korean, emoji…) except the empty string and strings
 * with unpaired UTF-16 surrogates (which cannot round-trip through UTF-8 files).
 * @module
 */

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * @param kind `'identity'` or `'image id'`, used in the message.
 * @throws {InvalidArgumentError} when `value` is not a string, is empty or is not well-formed Unicode.
 */
export function validateLabel(value: unknown, kind: 'identity' | 'image id'): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${kind} must be a string, got ${typeof value}`);
  if (value.length === 0) throw new InvalidArgumentError(`${kind} must not be empty`);
  if (LONE_SURROGATE.test(value)) {
    throw new InvalidArgumentError(
      `${kind} ${JSON.stringify(value)} holds an unpaired UTF-16 surrogate (not valid Unicode)`,
    );
  }
}

/**
 * Checks a batch to enroll: one identity, `n >= 1` embeddings of length `dimension`, `n` distinct image ids.
 * @throws {InvalidArgumentError} bad identity or image ids, count mismatch, duplicate ids in the batch.
 * @throws {EmbeddingDimensionError} a vector of the wrong length. @throws {InvalidEmbeddingError} NaN, ±Infinity, zero norm.
 */
export function validateEnrollBatch(
  identity: string,
  embeddings: readonly Float32Array[],
  imageIds: readonly string[],
  dimension: number,
): void {
  validateLabel(identity, 'identity');
  if (!Array.isArray(embeddings) || !Array.isArray(imageIds)) {
    throw new InvalidArgumentError('embeddings and imageIds must be arrays');
  }
  if (embeddings.length === 0) throw new InvalidArgumentError('nothing to enroll: embeddings is empty');
  if (embeddings.length !== imageIds.length) {
    throw new InvalidArgumentError(`${embeddings.length} embeddings but ${imageIds.length} image ids`);
  }
  const seen = new Set<string>();
  embeddings.forEach((v, i) => {
    if (!(v instanceof Float32Array)) throw new InvalidArgumentError(`embedding ${i} is not a Float32Array`);
    try {
      validateEmbedding(v, dimension);
    } catch (err) {
      if (err instanceof InvalidEmbeddingError)
        throw new InvalidEmbeddingError(
          `embedding ${i} (${JSON.stringify(imageIds[i])}): ${err.message.replace(/^invalid embedding: /, '')}`,
        );
      throw err;
    }
    validateLabel(imageIds[i], 'image id');
    if (seen.has(imageIds[i]))
      throw new InvalidArgumentError(`image id ${JSON.stringify(imageIds[i])} appears twice in the batch`);
    seen.add(imageIds[i]);
  });
}

const SEED_IMAGE = /^(.+)_(\d+)\.[^./\\]+$/su;

/**
 * The identity of an image in the seed project's CSV layout, where images are named `<name>_<k>.<ext>`
 * (e.g. `Aaron_Peirsol_0002.jpg` → `Aaron_Peirsol`, as in LFW).
 * @returns the name, or `undefined` when the image name does not follow that pattern.
 */
export function identityFromSeedImageName(image: string): string | undefined {
  return SEED_IMAGE.exec(image)?.[1];
}
