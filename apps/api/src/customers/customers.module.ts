import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CustomersController } from './customers.controller.js';
import { ExecuteCustomerCommandHandler } from './execute-customer-command.js';

/** Commands on customer streams: registering leads and recording every interaction. */
@Module({
  imports: [CqrsModule],
  controllers: [CustomersController],
  providers: [ExecuteCustomerCommandHandler],
})
export class CustomersModule {}
