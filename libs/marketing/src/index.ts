export { CampaignsModule } from './campaigns/campaigns.module.js';
export { ProductsModule } from './products/products.module.js';
export { VisitorsModule } from './visitors/visitors.module.js';
