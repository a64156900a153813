import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ReadModelsModule } from '../read-models/read-models.module.js';
import { ExecuteRepCommandHandler } from './execute-rep.command.js';
import { LeaderboardFeed } from './leaderboard-feed.js';
import { RepsController } from './reps.controller.js';
import { SalesQueryController } from './sales-query.controller.js';

/**
 * Sales reps: commands on their streams (onboarding, commission plans, goals, tasks), and the sales
 * read side (commissions, leaderboard and its live stream, goals, tasks).
 */
@Module({
  imports: [CqrsModule, ReadModelsModule],
  controllers: [RepsController, SalesQueryController],
  providers: [ExecuteRepCommandHandler, LeaderboardFeed],
})
export class RepsModule {}
