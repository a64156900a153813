export { SalesQueriesModule } from './sales-queries.module.js';
export { salesPerformanceProjection } from './sales-performance.projection.js';
export { SalesPerformanceQueries } from './sales-performance.queries.js';
