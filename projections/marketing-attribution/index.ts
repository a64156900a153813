export { ReportsModule } from './reports.module.js';
export { marketingProjection } from './marketing.projection.js';
export { MarketingQueries } from './marketing.queries.js';
