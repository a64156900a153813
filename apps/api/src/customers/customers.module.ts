import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ReadModelsModule } from '../read-models/read-models.module.js';
import { CustomersQueryController } from './customers-query.controller.js';
import { CustomersController } from './customers.controller.js';
import { EraseCustomerCommandHandler } from './erase-customer.command.js';
import { ExecuteCustomerCommandHandler } from './execute-customer.command.js';

/** Customers: commands on their streams (registering, every interaction, erasure) and queries of their read models. */
@Module({
  imports: [CqrsModule, ReadModelsModule],
  controllers: [CustomersController, CustomersQueryController],
  providers: [ExecuteCustomerCommandHandler, EraseCustomerCommandHandler],
})
export class CustomersModule {}
