import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ExecuteRepCommandHandler } from './execute-rep.command.js';
import { RepsController } from './reps.controller.js';

/** Sales reps: commands on their streams (onboarding, commission plans, goals, tasks). Their read models are in projections/. */
@Module({
  imports: [CqrsModule],
  controllers: [RepsController],
  providers: [ExecuteRepCommandHandler],
})
export class RepsModule {}
