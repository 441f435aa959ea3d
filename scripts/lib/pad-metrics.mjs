// Presentation-attack detection metrics (ISO/IEC 30107-3) for the liveness benchmark: APCER, BPCER, ACER at a
// threshold, AUC, the equal-error threshold and leave-one-subject-out threshold choice. Scores: higher = more live;
// a presentation is accepted as live when score >= threshold.

/**
 * Error rates at one threshold.
 * @param {{ label: 'live' | 'spoof', score: number }[]} items
 * @param {number} threshold
 * @returns {{ apcer: number, bpcer: number, acer: number, attacksAccepted: number, attacks: number, bonaFideRejected: number, bonaFide: number }}
 */
export function errorRates(items, threshold) {
  const attacks = items.filter((x) => x.label === 'spoof');
  const bonaFide = items.filter((x) => x.label === 'live');
  const attacksAccepted = attacks.filter((x) => x.score >= threshold).length;
  const bonaFideRejected = bonaFide.filter((x) => x.score < threshold).length;
  const apcer = attacks.length ? attacksAccepted / attacks.length : 0;
  const bpcer = bonaFide.length ? bonaFideRejected / bonaFide.length : 0;
  return {
    apcer,
    bpcer,
    acer: (apcer + bpcer) / 2,
    attacksAccepted,
    attacks: attacks.length,
    bonaFideRejected,
    bonaFide: bonaFide.length,
  };
}

/** Area under the ROC curve: the probability that a live item scores above a spoof one (ties count half). */
export function auc(items) {
  const live = items.filter((x) => x.label === 'live').map((x) => x.score);
  const spoof = items.filter((x) => x.label === 'spoof').map((x) => x.score);
  let c = 0;
  for (const a of live) for (const b of spoof) c += a > b ? 1 : a === b ? 0.5 : 0;
  return c / (live.length * spoof.length);
}

/**
 * The threshold that minimises ACER on `items` (ties: the one with the lowest BPCER, then the midpoint of the widest
 * gap between neighbouring scores, so a perfectly separated set gets the middle of its margin).
 */
export function minAcerThreshold(items) {
  const scores = [...new Set(items.map((x) => x.score))].sort((a, b) => a - b);
  const candidates = [scores[0] - 1e-9];
  for (let i = 1; i < scores.length; i++) candidates.push((scores[i - 1] + scores[i]) / 2);
  candidates.push(scores[scores.length - 1] + 1e-9);
  let best = null;
  for (const t of candidates) {
    const r = errorRates(items, t);
    if (!best || r.acer < best.r.acer - 1e-12 || (Math.abs(r.acer - best.r.acer) <= 1e-12 && r.bpcer < best.r.bpcer))
      best = { t, r, runs: [t] };
    else if (Math.abs(r.acer - best.r.acer) <= 1e-12 && Math.abs(r.bpcer - best.r.bpcer) <= 1e-12) best.runs.push(t);
  }
  // Equal error everywhere in a run of candidates: take the middle of the run.
  const run = best.runs;
  return run[Math.floor((run.length - 1) / 2)] === run[Math.ceil((run.length - 1) / 2)]
    ? run[Math.floor((run.length - 1) / 2)]
    : (run[Math.floor((run.length - 1) / 2)] + run[Math.ceil((run.length - 1) / 2)]) / 2;
}

/**
 * Leave-one-subject-out: for each subject, the threshold chosen by `choose` on the other subjects, applied to that
 * subject's items. Pools the held-out decisions into one APCER / BPCER / ACER.
 * @param {{ label: 'live' | 'spoof', score: number, subject: string }[]} items
 * @param {(items: typeof items) => number} choose
 */
export function leaveOneSubjectOut(items, choose = minAcerThreshold) {
  const subjects = [...new Set(items.map((x) => x.subject))].sort();
  const folds = subjects.map((s) => {
    const threshold = choose(items.filter((x) => x.subject !== s));
    const held = items.filter((x) => x.subject === s);
    return { subject: s, threshold, ...errorRates(held, threshold) };
  });
  const sum = (k) => folds.reduce((n, f) => n + f[k], 0);
  const apcer = sum('attacksAccepted') / sum('attacks');
  const bpcer = sum('bonaFideRejected') / sum('bonaFide');
  return { folds, apcer, bpcer, acer: (apcer + bpcer) / 2 };
}
