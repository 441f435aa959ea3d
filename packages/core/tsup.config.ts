import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// Two entry points: the browser-safe core, and the Node-only helpers (`@eolgul/core/node`).
// splitting: one copy of each module shared by the entries (one EolgulError class, so instanceof holds across them).
export default defineConfig(preset({ entry: ['src/index.ts', 'src/node.ts'], splitting: true }));
