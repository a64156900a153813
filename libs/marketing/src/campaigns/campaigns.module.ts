import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { StreamCommandsModule } from '#commands';
import { CampaignsController } from './campaigns.controller.js';

/** Marketing campaigns: launch, add ads and affiliate sites, end, on their `campaign-<id>` streams. */
@Module({
  imports: [CqrsModule, StreamCommandsModule],
  controllers: [CampaignsController],
})
export class CampaignsModule {}
