import { streamNames } from '#domain';

const names = streamNames('rep-', 'rep');

/** The stream of a sales rep: `rep-<id>`. */
export const repStream = names.streamOf;

/** The rep id of a `rep-<id>` stream, or `undefined` for any other stream. */
export const repIdOfStream = names.idOf;
