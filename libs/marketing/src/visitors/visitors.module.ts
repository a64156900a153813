import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { StreamCommandsModule } from '#commands';
import { VisitorsController } from './visitors.controller.js';

/** Anonymous web visitors: their clicks, on `visitor-<visitorId>` streams. */
@Module({
  imports: [CqrsModule, StreamCommandsModule],
  controllers: [VisitorsController],
})
export class VisitorsModule {}
