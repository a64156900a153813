export { TASK_STATUS_FILTERS } from './rep-tasks.queries.js';
export type { TaskStatusFilter } from './rep-tasks.queries.js';
export { REP_TASKS } from './rep-tasks.projection.js';
export { RepTasksQueries } from './rep-tasks.queries.js';
export { repTasksProjection } from './rep-tasks.projection.js';
