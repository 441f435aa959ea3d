import { defineConfig } from 'tsup';
import { preset } from '../../tsup.preset';
// Two entry points: the gallery, and the optional PostgreSQL + pgvector store (`@eolgul/gallery/pg`, needs `pg`).
export default defineConfig(preset({ entry: ['src/index.ts', 'src/pg.ts'] }));
