import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// Two entry points: the browser-safe core, and the Node-only helpers (`@eolgul/core/node`).
export default defineConfig(preset({ entry: ['src/index.ts', 'src/node.ts'] }));
