export * from './campaign/index.js';
export * from './product/index.js';
export * from './visitor/index.js';
export * from './marketing.personal-data.js';
