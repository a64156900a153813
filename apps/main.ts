// api + projector + worker in one process (`npm start`); CRM_APPS picks a subset.
// Each also runs alone: dist/apps/<app>/src/main.js.
import type { AppName } from '#config';
import { launch } from '#runtime';
import type { Type } from '@nestjs/common';
import { ApiModule } from './api/src/api.module.js';
import { configureHttpApp } from './api/src/http/configure-http-app.js';
import { ProjectorModule } from './projector/src/projector.module.js';
import { WorkerModule } from './worker/src/worker.module.js';

const APPS: Record<AppName, Type> = { api: ApiModule, projector: ProjectorModule, worker: WorkerModule };

await launch('crm', (config) => ({
  modules: config.apps.map((app) => APPS[app]),
  http: config.apps.includes('api'),
  configure: configureHttpApp,
}));
