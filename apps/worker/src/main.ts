// The worker alone: `node dist/apps/worker/src/main.js`.
import { launch } from '#runtime';
import { WorkerModule } from './worker.module.js';

await launch('worker', () => ({ modules: [WorkerModule], http: false }));
