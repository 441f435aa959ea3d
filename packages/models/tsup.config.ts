import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// Two entry points: the catalogue (browser-safe), and the Node-only file helpers (`@eolgul/models/node`).
// splitting: one copy of each module shared by the entries (one EolgulError class, so instanceof holds across them).
export default defineConfig(preset({ entry: ['src/index.ts', 'src/node.ts'], splitting: true }));
