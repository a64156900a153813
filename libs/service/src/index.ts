export { TicketsModule } from './tickets.module.js';
export { serviceMigrations } from './service.migrations.js';
