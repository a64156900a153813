import { Module } from '@nestjs/common';
import { ReadModelsModule } from '#read-model-engine';
import { LeaderboardFeed } from './leaderboard-feed.js';
import { SalesQueryController } from './sales-queries.controller.js';

/** The sales read side over HTTP: commissions, the leaderboard and its live stream, goals, tasks. */
@Module({ imports: [ReadModelsModule], controllers: [SalesQueryController], providers: [LeaderboardFeed] })
export class SalesQueriesModule {}
