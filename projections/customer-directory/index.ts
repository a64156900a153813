export { customerDirectoryProjection } from './directory.projection.js';
export { CUSTOMER_DIRECTORY } from './directory.projection.js';
export { DirectoryQueries } from './directory.queries.js';
export { CustomerQueriesModule } from './customer-queries.module.js';
export { DirectoryEmailLookup } from './directory-email-lookup.js';
