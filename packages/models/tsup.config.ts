import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// Two entry points: the catalogue (browser-safe), and the Node-only file helpers (`@eolgul/models/node`).
export default defineConfig(preset({ entry: ['src/index.ts', 'src/node.ts'] }));
