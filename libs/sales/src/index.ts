export { RepsModule } from './sales.module.js';
