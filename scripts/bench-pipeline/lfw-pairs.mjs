// A smaller LFW View-2 pairs file for quick runs of scripts/bench-pipeline.mjs.

/**
 * The first `k` matched and the first `k` mismatched pairs of each fold of an LFW View-2 `pairs.txt` (header
 * `<folds><TAB><pairs per kind>`, then per fold that many matched lines `Name n1 n2` and mismatched lines
 * `Name1 n1 Name2 n2`), as a pairs file of the same format with header `<folds><TAB>k`.
 * @param {string} text the pairs file @param {number} k pairs of each kind per fold, 1 … the file's count
 * @returns {string}
 */
export function lfwPairsSubset(text, k) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const [folds, per] = lines[0].trim().split(/\s+/).map(Number);
  if (!(folds > 0 && per > 0) || lines.length !== 1 + folds * per * 2)
    throw new Error(`not an LFW View-2 pairs file: header ${lines[0]}, ${lines.length - 1} pairs`);
  if (!(Number.isInteger(k) && k >= 1 && k <= per)) throw new Error(`pairs per kind must be 1 … ${per}, got ${k}`);
  const out = [`${folds}\t${k}`];
  for (let f = 0; f < folds; f++) {
    const start = 1 + f * per * 2;
    out.push(...lines.slice(start, start + k), ...lines.slice(start + per, start + per + k));
  }
  return `${out.join('\n')}\n`;
}
