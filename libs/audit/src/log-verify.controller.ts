import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type pg from 'pg';
import { Roles } from '#auth';
import type { EventStore } from '#event-store';
import { EVENT_STORE, LOG_SIGNING_KEY, PG_POOL } from '#providers';
import { LogVerifier, type LogVerification } from './log-verifier.js';

/** The auditor's proof that the event log was not altered, inserted into, shortened or reordered. */
@ApiTags('audit')
@Roles('auditor', 'admin')
@Controller('audit/log')
export class LogVerifyController {
  private readonly verifier: LogVerifier;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(PG_POOL) pool: pg.Pool, @Inject(LOG_SIGNING_KEY) signingKey: Buffer) {
    this.verifier = new LogVerifier(store, pool, signingKey);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the event log against its hashes and signed checkpoints',
    description:
      "Scans the whole log in order: recomputes every event's hash from its stored form (personal data still encrypted, so erased " +
      "people's events verify as stored), checks each stream's chain (revisions dense from 0, each linked to the previous hash), " +
      "recomputes the global chain and compares it with the sealer's record and with every signed checkpoint. `clean` is true when " +
      'nothing was found. `streamFindings` lists per stream its first altered, deleted, inserted or unlinked event; `chain` the first ' +
      'place where the global order diverges; `checkpointFindings` the checkpoints that do not hold. Events after the last sealed one ' +
      '(`unsealedEvents`) are checked per stream only. Reads only: verifications may overlap.',
  })
  @ApiOkResponse({
    description:
      '{ clean, events, streams, sealedEvents, unsealedEvents, checkpoints: { total, verified, last }, streamFindings, streamsWithFindings, ' +
      'chain, checkpointFindings, truncated, head, seconds, eventsPerSecond }',
  })
  verify(): Promise<LogVerification> {
    return this.verifier.verify();
  }
}
