import { streamNames } from '#domain';

const names = streamNames('visitor-', 'visitor');

/** The stream of an anonymous web visitor: `visitor-<visitorId>`. */
export const visitorStream = names.streamOf;

/** The visitor id of a `visitor-<id>` stream, or `undefined` for any other stream. */
export const visitorIdOfStream = names.idOf;
