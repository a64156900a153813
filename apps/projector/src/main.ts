// The projector alone: `node dist/apps/projector/src/main.js`.
import { launch } from '#runtime';
import { ProjectorModule } from './projector.module.js';

await launch('projector', () => ({ modules: [ProjectorModule], http: false }));
