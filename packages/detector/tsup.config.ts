import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// The browser-safe main entry; the same plus deprecated aliases of the file helpers for Node (export condition `node`);
// and the Node-only file helpers (`@eolgul/detector/node`).
// splitting: one copy of each module shared by the entries (one EolgulError class, so instanceof holds across them).
export default defineConfig(preset({ entry: ['src/index.ts', 'src/index-node.ts', 'src/node.ts'], splitting: true }));
