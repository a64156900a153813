import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RepCommandsModule } from './rep-commands.module.js';
import { RepsController } from './reps.controller.js';

/** Sales reps: commands on their streams (onboarding, commission plans, goals, tasks). Their read models are in projections/. */
@Module({
  imports: [CqrsModule, RepCommandsModule],
  controllers: [RepsController],
})
export class RepsModule {}
