import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponse, notFoundProblem, ParseIdPipe } from '#http';
import { Roles } from '#auth';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#providers';
import { CustomerEventsQueryDto, CustomerHistoryDto, CustomerStateAsOfDto, CustomerStateQueryDto } from './audit.dto.js';
import { CustomerHistoryNotFoundError, customerStateAsOf, readCustomerHistory } from './customer-audit.js';

/**
 * The auditor's replay of a customer: their stream as recorded, and their state as of any moment
 * rebuilt from it. Reads the log itself, never a read model; the CLI's `replay` and `state` do the same.
 */
@ApiTags('audit')
@Roles('auditor', 'admin')
@Controller('audit/customers')
export class AuditController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get(':id/events')
  @ApiOperation({
    summary: "A customer's history as recorded",
    description:
      'Every event of the customer stream in revision order, with its metadata, personal data decrypted (or {"$erased": true} once ' +
      'erased). Bounds by revision and by recording time are inclusive and combine; pages follow with `after` = `nextCursor`.',
  })
  @ApiOkResponse({ type: CustomerHistoryDto })
  @ApiProblemResponse(400, 'Invalid id or query parameter')
  @ApiProblemResponse(404, 'Unknown customer')
  events(@Param('id', ParseIdPipe) id: string, @Query() query: CustomerEventsQueryDto): Promise<CustomerHistoryDto> {
    return answer(readCustomerHistory(this.store, id, query));
  }

  @Get(':id/state')
  @ApiOperation({
    summary: "A customer's state as of a moment",
    description:
      "Rebuilt from the log by the domain's evolve, folding the events up to `asOf` (a revision, or a time on the events' recording " +
      'time). `asOf.revision` in the answer is the last event folded in: past the end of the stream, the last one there is.',
  })
  @ApiOkResponse({ type: CustomerStateAsOfDto })
  @ApiProblemResponse(400, 'Invalid id or asOf')
  @ApiProblemResponse(404, 'Unknown customer, or asOf before their first event')
  state(@Param('id', ParseIdPipe) id: string, @Query() query: CustomerStateQueryDto): Promise<CustomerStateAsOfDto> {
    return answer(customerStateAsOf(this.store, id, query.asOf));
  }
}

/** The result, or the not-found it failed with as a 404 problem (with its `reason`). */
async function answer<T>(result: Promise<T>): Promise<T> {
  try {
    return await result;
  } catch (error) {
    if (!(error instanceof CustomerHistoryNotFoundError)) throw error;
    throw notFoundProblem(error.message, error.reason);
  }
}
