export { CustomersModule } from './customers.module.js';
export { RecordClickDto } from './dto/tracking.dto.js';
export { LogCallDto } from './dto/interactions.dto.js';
export { CUSTOMER_STREAM_COMMANDS } from './customer-stream-commands.js';
