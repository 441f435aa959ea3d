/**
 * Child process of the durability test: performs operations `start, start+1, …` of the sequence on a gallery
 * directory and prints `ok <i>` after each one resolved (= committed). The parent SIGKILLs it at random moments.
 * argv: dir prefix start end mixed(0|1); prefix `recover` only finishes an interrupted transaction.
 */
import { UnknownIdentityError } from '@eolgul/core';
import { openGallery } from '../src/node.js';
import { DURABILITY_D, opAt, vectorOf } from './gallery-durability-ops.js';

const [dir, prefix, startText, endText, mixedText] = process.argv.slice(2);
// lockStaleMs at its minimum: a writer killed holding the lock delays the next one by at most 2 s.
const g = await openGallery(dir, {
  create: true,
  dimension: DURABILITY_D,
  modelId: 'durability',
  defaultThreshold: 1,
  lockStaleMs: 2000,
});
process.stdout.write('ready\n');
if (prefix === 'recover') {
  // A change that changes nothing still runs as a transaction: it finishes what a killed writer left.
  await g.remove('\u0000 nobody').catch((err: unknown) => {
    if (!(err instanceof UnknownIdentityError)) throw err;
  });
}
for (let i = Number(startText); i < Number(endText); i++) {
  const op = opAt(prefix, i, mixedText === '1');
  try {
    if (op.kind === 'enroll')
      await g.enroll(
        op.identity,
        op.imageIds.map((id) => vectorOf(id)),
        op.imageIds,
      );
    else if (op.kind === 'remove') await g.remove(op.name);
    else if (op.kind === 'rename') await g.rename(op.from, op.to);
    else if (op.kind === 'exclude') await g.excludeImage(op.imageId);
    else await g.includeImage(op.imageId);
  } catch (err) {
    if (!(err instanceof UnknownIdentityError)) throw err;
  }
  process.stdout.write(`ok ${i}\n`);
}
await g.close();
process.stdout.write('done\n');
