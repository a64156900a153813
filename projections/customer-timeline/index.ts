export { customerTimelineProjection } from './timeline.projection.js';
export { TimelineQueries } from './timeline.queries.js';
export { CUSTOMER_TIMELINE } from './timeline.projection.js';
export { TimelineQueryDto } from './query-timeline.dto.js';
export type { TimelineItem } from './timeline.queries.js';
