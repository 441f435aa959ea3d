import { UnknownIdentityError } from '@eolgul/core';
import type { Gallery } from './gallery.js';
import { type ChangeRow, dec } from './gallery-store-postgres-schema.js';

/**
 * Replaying the change log of {@link PostgresGalleryStore} into a process's in-memory copy.
 * @module
 */

/** An enrolled row as the replay reads it. */
export interface EnrolledRow {
  row_id: string;
  image_id: Buffer;
  embedding: Buffer;
}

/**
 * Applies log rows to `index` in order. `rows` are the embeddings rows that exist in the same snapshot, by row id;
 * each enrollment takes those of its row range. A name or image that is not in the copy (removed by a later change
 * of the same batch, so absent from the snapshot) is skipped, which ends in the snapshot's state.
 * @param onApplied called with each change's sequence number once it is applied.
 */
export async function replayChanges(
  index: Gallery,
  changes: readonly ChangeRow[],
  rows: readonly EnrolledRow[],
  onApplied: (seq: number) => void,
): Promise<void> {
  let r = 0;
  for (const ch of changes) {
    if (ch.kind === 'enroll') {
      const first = BigInt(ch.first_row as string);
      const last = BigInt(ch.last_row as string);
      while (r < rows.length && BigInt(rows[r].row_id) < first) r++;
      const mine: EnrolledRow[] = [];
      for (; r < rows.length && BigInt(rows[r].row_id) <= last; r++) mine.push(rows[r]);
      if (mine.length) {
        await index.enroll(
          dec(ch.name as Buffer),
          mine.map((x) => new Float32Array(new Uint8Array(x.embedding).buffer)),
          mine.map((x) => dec(x.image_id)),
        );
      }
    } else await applyTolerant(index, ch);
    onApplied(Number(ch.seq));
  }
}

async function applyTolerant(index: Gallery, ch: ChangeRow): Promise<void> {
  try {
    if (ch.kind === 'remove-identity') await index.remove(dec(ch.name as Buffer), { kind: 'identity' });
    else if (ch.kind === 'remove-image') await index.remove(dec(ch.image_id as Buffer), { kind: 'image' });
    else if (ch.kind === 'rename') await index.rename(dec(ch.name as Buffer), dec(ch.new_name as Buffer));
    else if (ch.kind === 'exclude') await index.excludeImage(dec(ch.image_id as Buffer));
    else if (ch.kind === 'include') await index.includeImage(dec(ch.image_id as Buffer));
  } catch (err) {
    if (!(err instanceof UnknownIdentityError)) throw err;
  }
}
