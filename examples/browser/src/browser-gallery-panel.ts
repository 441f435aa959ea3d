import type { Gallery } from '@eolgul/gallery';
import { exportPair, importPair } from './browser-pair.js';
import { describeError, download, showMessage, ui } from './browser-ui.js';

/**
 * The "People" panel: who is signed up (with a Delete button each), and the gallery's NPY + CSV export and import.
 * The gallery is the recognizer's, stored in IndexedDB.
 * @module
 */

/**
 * Lists the gallery's identities with their number of photos.
 * @param onChange called after a person was deleted (the recognition loop forgets its tracked faces).
 */
export function renderPeople(gallery: Gallery, onChange: () => void): void {
  const names = gallery.identities();
  ui.people.replaceChildren(
    ...names.map((n) => {
      const li = document.createElement('li');
      li.dataset.identity = n;
      const text = document.createElement('span');
      text.textContent = `${n} — ${gallery.countOf(n)} photos `;
      const del = document.createElement('button');
      del.type = 'button';
      del.textContent = 'Delete';
      del.addEventListener('click', async () => {
        if (!confirm(`Delete ${n} and all their photos?`)) return;
        await gallery.remove(n, { kind: 'identity' });
        onChange();
        renderPeople(gallery, onChange);
      });
      li.append(text, del);
      return li;
    }),
  );
  ui.peopleCount.textContent = `(${names.length})`;
}

/**
 * Wires the Export and Import controls. A bad pair is refused with the typed error's message and code, and changes
 * nothing.
 * @param onChange called after an import changed the gallery.
 */
export function wireGalleryTransfer(gallery: Gallery, onChange: () => void): void {
  ui.exportBtn.addEventListener('click', () => {
    try {
      const files = exportPair(gallery);
      download('eolgul-gallery.npy', files.npy as Uint8Array<ArrayBuffer>, 'application/octet-stream');
      download('eolgul-gallery.csv', files.csv, 'text/csv');
      if (files.identitiesCsv) download('eolgul-gallery.identities.csv', files.identitiesCsv, 'text/csv');
      const n = gallery.count();
      showMessage(ui.galleryMessage, `Exported ${n} embeddings (eolgul gallery import reads them).`);
    } catch (err) {
      showMessage(ui.galleryMessage, `Export failed: ${describeError(err)}`, true);
    }
  });
  ui.importInput.addEventListener('change', async () => {
    const files = [...(ui.importInput.files ?? [])];
    ui.importInput.value = '';
    const pick = (re: RegExp) => files.find((f) => re.test(f.name.toLowerCase()));
    const npy = pick(/\.npy$/);
    const csv = pick(/(?<!\.identities)\.csv$/);
    const identities = pick(/\.identities\.csv$/);
    if (!npy || !csv) {
      showMessage(
        ui.galleryMessage,
        'Pick the .npy and the .csv of one export (and its .identities.csv if any).',
        true,
      );
      return;
    }
    try {
      const r = await importPair(
        gallery,
        {
          npy: new Uint8Array(await npy.arrayBuffer()),
          csv: await csv.text(),
          identitiesCsv: await identities?.text(),
        },
        { npy: npy.name, csv: csv.name, identitiesCsv: identities?.name },
      );
      const who = r.identities.join(', ') || 'none new';
      showMessage(ui.galleryMessage, `Imported ${r.added} embeddings (${who}); ${r.skipped} already here.`);
      onChange();
      renderPeople(gallery, onChange);
    } catch (err) {
      showMessage(ui.galleryMessage, `Import failed: ${describeError(err)}`, true);
    }
  });
}
