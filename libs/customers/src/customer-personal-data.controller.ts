import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '#auth';
import { fold } from '#domain';
import { customerDecider, customerStream, toCustomerEvent } from '#customers/domain';
import type { DataKeyStore, EventStore, JsonObject, RecordedEvent } from '#event-store';
import { ApiProblemResponse, notFoundProblem, ParseIdPipe } from '#http';
import { DATA_KEYS, EVENT_STORE } from '#providers';

interface HeldEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly recordedAt: string;
  readonly actor: string;
  readonly data: JsonObject;
}

/** Everything the log holds about one person, decrypted: what a data-subject access request answers. */
export interface PersonalDataReport {
  readonly customerId: string;
  readonly erased: boolean;
  /** Their profile and history as the domain folds it. */
  readonly state: unknown;
  /** Every event of their stream. */
  readonly events: HeldEvent[];
  /** Events of other streams about them: e-mail claims, the anonymous visitor they were, sales reps' tasks about them. */
  readonly relatedEvents: HeldEvent[];
}

/**
 * The right of access. Reads the log, not the read models: these are built from it, and hold no
 * more than it does. Other streams are found by the links the event store records when it stores
 * the person's data elsewhere.
 */
@ApiTags('customers')
@Roles('admin')
@Controller('customers')
export class CustomerPersonalDataController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATA_KEYS) private readonly keys: DataKeyStore,
  ) {}

  @Get(':id/personal-data')
  @ApiOperation({
    summary: 'Everything held about a person, decrypted (a data-subject access request)',
    description: 'The customer stream and every other stream holding their data. Once erased, their personal values read {"$erased": true}.',
  })
  @ApiOkResponse({ description: 'The report, as JSON' })
  @ApiProblemResponse(404, 'Unknown customer')
  async report(@Param('id', ParseIdPipe) id: string): Promise<PersonalDataReport> {
    const stream = customerStream(id);
    const events = await this.store.readStream(stream);
    if (events.length === 0) throw notFoundProblem(`no customer ${id}`, 'customer_not_found');
    const related: HeldEvent[] = [];
    for (const { linked, ownKey } of await this.keys.linkedStreams(stream)) {
      // A stream under the person's key (a rep's) also holds other people's events: only theirs count.
      const about = (event: RecordedEvent) => ownKey || event.data.customerId === id;
      related.push(...(await this.store.readStream(linked)).filter(about).map(held));
    }
    return {
      customerId: id,
      erased: events.some((event) => event.type === 'CustomerErased'),
      state: fold(customerDecider, events.flatMap((event) => toCustomerEvent(event) ?? [])),
      events: events.map(held),
      relatedEvents: related,
    };
  }
}

function held(event: RecordedEvent): HeldEvent {
  return {
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    recordedAt: event.metadata.recordedAt.toISOString(),
    actor: event.metadata.actor,
    data: event.data,
  };
}
