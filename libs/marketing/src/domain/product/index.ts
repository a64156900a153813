export * from './product.events.js';
export type * from './product.commands.js';
export * from './product.state.js';
export { productDecider, decideProduct, evolveProduct } from './product.decider.js';
export { productStream, skuOfStream } from './product.stream.js';
