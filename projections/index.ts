import type { Projection } from '#read-model-engine';
import { contractsExpiringProjection } from '#projections/contracts-expiring';
import { customerDirectoryProjection } from '#projections/customer-directory';
import { customerTimelineProjection } from '#projections/customer-timeline';
import { purchaseFrequencyProjection } from '#projections/purchase-frequency';
import { marketingProjection } from '#projections/marketing-attribution';
import { repTasksProjection } from '#projections/rep-tasks';
import { salesAnalyticsProjection } from '#projections/sales-analytics';
import { salesPerformanceProjection } from '#projections/sales-performance';

/** Every read model the projector builds. */
export const PROJECTIONS: readonly Projection[] = [customerTimelineProjection, customerDirectoryProjection, repTasksProjection, salesPerformanceProjection, marketingProjection, salesAnalyticsProjection, contractsExpiringProjection, purchaseFrequencyProjection];
