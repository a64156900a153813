import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { StreamCommandsModule } from '#commands';
import { CustomerPersonalDataController } from './customer-personal-data.controller.js';
import { CustomersController } from './customers.controller.js';
import { EraseCustomerCommandHandler } from './erase-customer.command.js';

/** Customers: commands on their streams (registering, every interaction, erasure). Their read models are in projections/. */
@Module({
  imports: [CqrsModule, StreamCommandsModule],
  controllers: [CustomersController, CustomerPersonalDataController],
  providers: [EraseCustomerCommandHandler],
})
export class CustomersModule {}
