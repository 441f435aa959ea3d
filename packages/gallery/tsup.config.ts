import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// Entries: the browser-safe gallery (`index`), its Node build (`index-node`: the same API plus the deprecated
// directory methods, chosen by the `node` export condition), the directory store (`@eolgul/gallery/node`) and the
// PostgreSQL store (`@eolgul/gallery/pg`). Shared code is split into common chunks so that every entry sees one
// `Gallery` class.
export default defineConfig(
  preset({ entry: ['src/index.ts', 'src/index-node.ts', 'src/node.ts', 'src/pg.ts'], splitting: true }),
);
