import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { StreamCommandsModule } from '../commands/stream-commands.js';
import { ReadModelsModule } from '../read-models/read-models.module.js';
import { CustomersQueryController } from './customers-query.controller.js';
import { CustomersController } from './customers.controller.js';
import { EraseCustomerCommandHandler } from './erase-customer.command.js';

/** Customers: commands on their streams (registering, every interaction, erasure) and queries of their read models. */
@Module({
  imports: [CqrsModule, StreamCommandsModule, ReadModelsModule],
  controllers: [CustomersController, CustomersQueryController],
  providers: [EraseCustomerCommandHandler],
})
export class CustomersModule {}
