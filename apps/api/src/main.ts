// The HTTP API alone: `node dist/apps/api/src/main.js`.
import { launch } from '#runtime';
import { ApiModule } from './api.module.js';

await launch('api', () => ({ modules: [ApiModule], http: true }));
