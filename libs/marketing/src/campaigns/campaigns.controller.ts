import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext, CurrentCommand, executeOnStream, type StreamCommands } from '#commands';
import { ApiProblemResponse, ParseIdPipe } from '#http';
import { Roles } from '#auth';
import { campaignDecider, campaignStream, type CampaignCommand, type CampaignEvent, type CampaignState } from '#marketing/domain';
import { schemaVersionOf } from '#event-catalog';
import { AddAdDto, AddAffiliateDto, CampaignCommandResultDto, EndCampaignDto, LaunchCampaignDto } from './dto/campaign.dto.js';

const CAMPAIGNS: StreamCommands<CampaignCommand, CampaignEvent, CampaignState> = {
  decider: campaignDecider,
  streamOf: (command) => campaignStream(command.campaignId),
  schemaVersionOf,
};

const now = () => new Date().toISOString();

/**
 * Marketing campaigns: each route turns its body into a domain command on the campaign's stream
 * (`campaign-<id>`) and answers where that stream stands after it. Ids a caller leaves out are
 * derived from the command id, so a retry with the same Idempotency-Key describes the same thing.
 */
@ApiTags('campaigns')
@Roles('service', 'admin')
@Controller('campaigns')
@ApiProblemResponse(400, 'Malformed body, unknown field, or a field of the wrong type or format')
@ApiProblemResponse(413, 'Body too large')
export class CampaignsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Command()
  @ApiOperation({ summary: 'Launch a campaign, with its ads and affiliate sites' })
  @ApiCreatedResponse({ type: CampaignCommandResultDto })
  launch(@Body() body: LaunchCampaignDto, @CurrentCommand() context: CommandContext): Promise<CampaignCommandResultDto> {
    return this.run({ type: 'LaunchCampaign', ...body, campaignId: body.campaignId ?? context.commandId, launchedAt: now() }, context);
  }

  @Post(':id/ads')
  @Command()
  @ApiOperation({ summary: 'Add an ad to a running campaign' })
  @ApiCreatedResponse({ type: CampaignCommandResultDto })
  @ApiProblemResponse(404, 'Unknown campaign')
  addAd(@Param('id', ParseIdPipe) id: string, @Body() body: AddAdDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'AddAd', ...body, campaignId: id, adId: body.adId ?? context.commandId, addedAt: now() }, context);
  }

  @Post(':id/affiliates')
  @Command()
  @ApiOperation({ summary: 'Add an affiliate site to a running campaign' })
  @ApiCreatedResponse({ type: CampaignCommandResultDto })
  @ApiProblemResponse(404, 'Unknown campaign')
  addAffiliate(@Param('id', ParseIdPipe) id: string, @Body() body: AddAffiliateDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'AddAffiliate', ...body, campaignId: id, affiliateSiteId: body.affiliateSiteId ?? context.commandId, addedAt: now() }, context);
  }

  @Post(':id/end')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'End a campaign', description: 'Final: an ended campaign takes no further ad or affiliate site.' })
  @ApiOkResponse({ type: CampaignCommandResultDto })
  @ApiProblemResponse(404, 'Unknown campaign')
  end(@Param('id', ParseIdPipe) id: string, @Body() body: EndCampaignDto, @CurrentCommand() context: CommandContext) {
    const endedAt = now();
    return this.run({ type: 'EndCampaign', ...body, campaignId: id, endedOn: body.endedOn ?? endedAt.slice(0, 10), endedAt }, context);
  }

  private async run(command: CampaignCommand, context: CommandContext): Promise<CampaignCommandResultDto> {
    return { campaignId: command.campaignId, ...(await executeOnStream(this.commandBus, CAMPAIGNS, command, context)) };
  }
}
