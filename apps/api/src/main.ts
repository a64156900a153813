// The HTTP API alone: `node dist/apps/api/src/main.js`.
import { launch } from '#runtime';
import { ApiModule } from './api.module.js';
import { configureHttpApp } from './http/configure-http-app.js';

await launch('api', () => ({ modules: [ApiModule], http: true, configure: configureHttpApp }));
