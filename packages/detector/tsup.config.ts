import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// The browser-safe main entry; the same plus deprecated aliases of the file helpers for Node (export condition `node`);
// and the Node-only file helpers (`@eolgul/detector/node`).
export default defineConfig(preset({ entry: ['src/index.ts', 'src/index-node.ts', 'src/node.ts'] }));
