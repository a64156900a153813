import { Module } from '@nestjs/common';
import { ReadModelsModule } from '#read-model-engine';
import { ReportsController } from './reports.controller.js';

/** The marketing and sales reports (read side only: their events come from the customer, product, campaign and visitor commands). */
@Module({
  imports: [ReadModelsModule],
  controllers: [ReportsController],
})
export class ReportsModule {}
