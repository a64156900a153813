export * from './rep.events.js';
export type * from './rep.commands.js';
export * from './rep.state.js';
export { repDecider, decideRep, evolveRep, reassignedTask } from './rep.decider.js';
export { repStream, repIdOfStream } from './rep.stream.js';
export { originTask } from './task-origin.js';
export { repPersonalData } from './rep.personal-data.js';
