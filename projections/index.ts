import type { Projection } from '#projections';
import { contractsExpiringProjection } from './contracts-expiring/contracts-expiring.projection.js';
import { customerDirectoryProjection } from './customer-directory/directory.projection.js';
import { customerTimelineProjection } from './customer-timeline/timeline.projection.js';
import { purchaseFrequencyProjection } from './purchase-frequency/purchase-frequency.projection.js';
import { marketingProjection } from './marketing-attribution/marketing.projection.js';
import { repTasksProjection } from './rep-tasks/rep-tasks.projection.js';
import { salesAnalyticsProjection } from './sales-analytics/sales-analytics.projection.js';
import { salesPerformanceProjection } from './sales-performance/sales-performance.projection.js';

/** Every read model the projector builds. */
export const PROJECTIONS: readonly Projection[] = [customerTimelineProjection, customerDirectoryProjection, repTasksProjection, salesPerformanceProjection, marketingProjection, salesAnalyticsProjection, contractsExpiringProjection, purchaseFrequencyProjection];
