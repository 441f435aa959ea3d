import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
export default defineConfig([
  preset(),
  preset({ entry: ['src/cli.ts', 'src/cli-main.ts'], format: ['esm'], dts: false, clean: false }),
]);
