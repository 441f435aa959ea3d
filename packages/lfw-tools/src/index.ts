/**
 * `@eolgul/lfw-tools`: the Labeled Faces in the Wild protocol tools of eolgul, plain TypeScript, no model.
 * - `parsePairs` / `lfwImagePath`: the View-2 `pairs.txt` file;
 * - `evaluatePairs`: 10-fold accuracy (threshold chosen on 9 folds, tested on the 10th), ROC, AUC, TAR at FAR = 1e-3;
 * - `identificationRank1`: 1:N rank-1 identification (first images of each person enrolled, the rest probes);
 * - `filterPeople` / `copyFilteredPeople`: people with at least n images (Node);
 * - `readEmbeddingPair` / `writeEmbeddingPair` / `checkEmbeddings`: the `<prefix>.npy` + `<prefix>.csv` embedding files (Node).
 * Dataset: Huang, Ramesh, Berg, Learned-Miller, "Labeled Faces in the Wild: A Database for Studying Face Recognition in
 * Unconstrained Environments", UMass Amherst TR 07-49, 2007.
 * @packageDocumentation
 */
export * from './lfw-pairs.js';
export * from './lfw-evaluate.js';
export * from './lfw-identification.js';
export * from './lfw-filter.js';
export {
  EMBEDDING_CSV_COLUMNS,
  readEmbeddingPair,
  writeEmbeddingPair,
  type EmbeddingPair,
  type EmbeddingRow,
} from './embeddings-files.js';
export * from './embeddings-check.js';
