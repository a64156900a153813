export { projectionSchema, type Projection } from './projection.js';
export { ProjectionHandlerError, activeSchema, applyEvents, dropProjectionTables, prepareProjectionTables, projectionMigrations } from './projection-tables.js';
export { PROJECTIONS_SCHEMA, projectionsMigrations, type ProjectionsTables } from './projections.migrations.js';
export { ProjectionLagError, ReadConsistency, type ReadConsistencyOptions } from './read-consistency.js';
export { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner.js';
export { LAG_COUNT_CAP, projectionStatuses, type ProjectionStatus } from './projection-status.js';
export { verifyProjection, type RowDifference, type Verification } from './verify-projection.js';
export { ProjectionSupervisor, type ProjectionSupervisorOptions } from './projection-supervisor.js';
export { buildLabel, compareBuilds, requestRebuild, type BuildId } from './projection-builds.js';
