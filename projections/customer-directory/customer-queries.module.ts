import { Module } from '@nestjs/common';
import { ReadModelsModule } from '#read-model-engine';
import { CustomersQueryController } from './customer-queries.controller.js';

/** The customer read side over HTTP: the directory (search, CSV export, profiles), timelines, purchase frequency. */
@Module({ imports: [ReadModelsModule], controllers: [CustomersQueryController] })
export class CustomerQueriesModule {}
