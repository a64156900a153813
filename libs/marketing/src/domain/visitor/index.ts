export * from './visitor.events.js';
export type * from './visitor.commands.js';
export * from './visitor.state.js';
export { visitorDecider, decideVisitor, evolveVisitor } from './visitor.decider.js';
export { visitorStream, visitorIdOfStream } from './visitor.stream.js';
