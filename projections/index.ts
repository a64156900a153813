import type { Projection } from '#projections';
import { customerDirectoryProjection } from './customer-directory/directory.projection.js';
import { customerTimelineProjection } from './customer-timeline/timeline.projection.js';

/** Every read model the projector builds. */
export const PROJECTIONS: readonly Projection[] = [customerTimelineProjection, customerDirectoryProjection];
