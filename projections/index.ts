import type { Projection } from '#projections';
import { customerDirectoryProjection } from './customer-directory/directory.projection.js';
import { customerTimelineProjection } from './customer-timeline/timeline.projection.js';
import { repTasksProjection } from './rep-tasks/rep-tasks.projection.js';
import { salesPerformanceProjection } from './sales-performance/sales-performance.projection.js';

/** Every read model the projector builds. */
export const PROJECTIONS: readonly Projection[] = [customerTimelineProjection, customerDirectoryProjection, repTasksProjection, salesPerformanceProjection];
