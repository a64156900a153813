import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CustomersController } from './customers.controller.js';
import { EraseCustomerCommandHandler } from './erase-customer.command.js';
import { ExecuteCustomerCommandHandler } from './execute-customer.command.js';

/** Commands on customer streams: registering leads, recording every interaction, erasing a person. */
@Module({
  imports: [CqrsModule],
  controllers: [CustomersController],
  providers: [ExecuteCustomerCommandHandler, EraseCustomerCommandHandler],
})
export class CustomersModule {}
