import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '#auth';
import { Command, CommandResultDto, CurrentCommand, executeOnStream, type CommandContext, type CommandOutcome } from '#commands';
import type { CustomerCommand, EraseCustomer } from '#customers/domain';
import { serializePosition } from '#event-store';
import { ApiProblemResponse, ParseIdPipe } from '#http';
import { AssignOwnerDto } from './dto/assign-owner.dto.js';
import { EraseCustomerDto } from './dto/erase-customer.dto.js';
import { RecordContractDto, ReviseContractDto, TerminateContractDto } from './dto/contracts.dto.js';
import { LogCallDto, LogEmailDto, LogMeetingDto } from './dto/interactions.dto.js';
import { AddNoteDto, AttachDocumentDto } from './dto/notes.dto.js';
import { RecordPurchaseDto, RecordRefundDto } from './dto/purchases.dto.js';
import { RegisterCustomerDto } from './dto/register-customer.dto.js';
import { RecordClickDto, RecordFormSubmissionDto, RecordSiteVisitDto } from './dto/tracking.dto.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { CUSTOMER_STREAM_COMMANDS } from './customer-stream-commands.js';
import { EraseCustomerCommand } from './erase-customer.command.js';

const now = () => new Date().toISOString();

/**
 * The write side of the customer context: each route turns its body into a domain command and
 * answers where the customer's stream stands after it. Ids a caller leaves out are derived from
 * the command id, so a retry with the same Idempotency-Key describes the same thing.
 */
@ApiTags('customers')
@Roles('service', 'admin')
@Controller('customers')
@ApiProblemResponse(400, 'Malformed body, unknown field, or a field of the wrong type or format')
@ApiProblemResponse(413, 'Body too large')
export class CustomersController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Command()
  @ApiOperation({ summary: 'Register a lead, prospect or customer' })
  @ApiCreatedResponse({ type: CommandResultDto })
  register(@Body() body: RegisterCustomerDto, @CurrentCommand() context: CommandContext): Promise<CommandResultDto> {
    return this.run({ type: 'RegisterCustomer', ...body, customerId: body.customerId ?? context.commandId, registeredAt: now() }, context);
  }

  @Patch(':id')
  @Command()
  @ApiOperation({ summary: 'Update contact details and profile', description: 'Only the fields given change; `null` clears one.' })
  @ApiOkResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  update(@Param('id', ParseIdPipe) id: string, @Body() body: UpdateProfileDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'UpdateProfile', ...body, customerId: id, updatedAt: now() }, context);
  }

  @Post(':id/owner')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Assign the owning sales rep' })
  @ApiOkResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  assignOwner(@Param('id', ParseIdPipe) id: string, @Body() body: AssignOwnerDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'AssignOwner', customerId: id, repId: body.repId, assignedAt: now() }, context);
  }

  @Post(':id/convert')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Convert a lead or prospect to a customer (once)' })
  @ApiOkResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  convert(@Param('id', ParseIdPipe) id: string, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'ConvertLead', customerId: id, convertedAt: now() }, context);
  }

  @Post(':id/calls')
  @Command()
  @ApiOperation({ summary: 'Log a call' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  logCall(@Param('id', ParseIdPipe) id: string, @Body() body: LogCallDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'LogCall', ...body, customerId: id, callId: body.callId ?? context.commandId, occurredAt: body.occurredAt ?? now() }, context);
  }

  @Post(':id/emails')
  @Command()
  @ApiOperation({ summary: 'Log an e-mail' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  logEmail(@Param('id', ParseIdPipe) id: string, @Body() body: LogEmailDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'LogEmail', ...body, customerId: id, emailId: body.emailId ?? context.commandId, occurredAt: body.occurredAt ?? now() }, context);
  }

  @Post(':id/meetings')
  @Command()
  @ApiOperation({ summary: 'Log a meeting or visit' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  logMeeting(@Param('id', ParseIdPipe) id: string, @Body() body: LogMeetingDto, @CurrentCommand() context: CommandContext) {
    return this.run(
      { type: 'LogMeeting', ...body, customerId: id, meetingId: body.meetingId ?? context.commandId, occurredAt: body.occurredAt ?? now() },
      context,
    );
  }

  @Post(':id/clicks')
  @Command()
  @ApiOperation({ summary: "Record a lead's click on an ad, e-mail link or affiliate link" })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  recordClick(@Param('id', ParseIdPipe) id: string, @Body() body: RecordClickDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'RecordClick', ...body, customerId: id, clickId: body.clickId ?? context.commandId, occurredAt: body.occurredAt ?? now() }, context);
  }

  @Post(':id/visits')
  @Command()
  @ApiOperation({ summary: 'Record a site visit' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  recordVisit(@Param('id', ParseIdPipe) id: string, @Body() body: RecordSiteVisitDto, @CurrentCommand() context: CommandContext) {
    return this.run(
      { type: 'RecordSiteVisit', ...body, customerId: id, visitId: body.visitId ?? context.commandId, occurredAt: body.occurredAt ?? now() },
      context,
    );
  }

  @Post(':id/form-submissions')
  @Command()
  @ApiOperation({ summary: 'Record a web-form submission' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  recordFormSubmission(@Param('id', ParseIdPipe) id: string, @Body() body: RecordFormSubmissionDto, @CurrentCommand() context: CommandContext) {
    return this.run(
      {
        type: 'RecordFormSubmission',
        ...body,
        customerId: id,
        submissionId: body.submissionId ?? context.commandId,
        occurredAt: body.occurredAt ?? now(),
      },
      context,
    );
  }

  @Post(':id/purchases')
  @Command()
  @ApiOperation({ summary: 'Record a purchase', description: 'An order id is recorded once: a second purchase with it is refused (422).' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  recordPurchase(@Param('id', ParseIdPipe) id: string, @Body() body: RecordPurchaseDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'RecordPurchase', ...body, customerId: id, purchasedAt: body.purchasedAt ?? now() }, context);
  }

  @Post(':id/refunds')
  @Command()
  @ApiOperation({ summary: 'Record a refund or return of lines of an earlier order', description: 'Never more than was bought.' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  recordRefund(@Param('id', ParseIdPipe) id: string, @Body() body: RecordRefundDto, @CurrentCommand() context: CommandContext) {
    return this.run(
      { type: 'RecordRefund', ...body, customerId: id, refundId: body.refundId ?? context.commandId, refundedAt: body.refundedAt ?? now() },
      context,
    );
  }

  @Post(':id/contracts')
  @Command()
  @ApiOperation({ summary: 'Record a contract: our own, or one the prospect holds with another vendor' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  recordContract(@Param('id', ParseIdPipe) id: string, @Body() body: RecordContractDto, @CurrentCommand() context: CommandContext) {
    return this.run(
      { type: 'RecordContract', ...body, customerId: id, contractId: body.contractId ?? context.commandId, recordedAt: now() },
      context,
    );
  }

  @Patch(':id/contracts/:contractId')
  @Command()
  @ApiOperation({ summary: 'Revise a contract', description: 'Each revision is kept; `null` clears a term (not the dates).' })
  @ApiOkResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer or contract')
  reviseContract(
    @Param('id', ParseIdPipe) id: string,
    @Param('contractId', ParseIdPipe) contractId: string,
    @Body() body: ReviseContractDto,
    @CurrentCommand() context: CommandContext,
  ) {
    return this.run({ type: 'ReviseContract', customerId: id, contractId, changes: body.changes, revisedAt: now() }, context);
  }

  @Post(':id/contracts/:contractId/terminate')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Terminate a contract' })
  @ApiOkResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer or contract')
  terminateContract(
    @Param('id', ParseIdPipe) id: string,
    @Param('contractId', ParseIdPipe) contractId: string,
    @Body() body: TerminateContractDto,
    @CurrentCommand() context: CommandContext,
  ) {
    return this.run({ type: 'TerminateContract', ...body, customerId: id, contractId, terminatedAt: now() }, context);
  }

  @Post(':id/notes')
  @Command()
  @ApiOperation({ summary: 'Add a note' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  addNote(@Param('id', ParseIdPipe) id: string, @Body() body: AddNoteDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'AddNote', ...body, customerId: id, noteId: body.noteId ?? context.commandId, addedAt: now() }, context);
  }

  @Post(':id/attachments')
  @Command()
  @ApiOperation({ summary: 'Attach a document (metadata and a storage reference)' })
  @ApiCreatedResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  attachDocument(@Param('id', ParseIdPipe) id: string, @Body() body: AttachDocumentDto, @CurrentCommand() context: CommandContext) {
    return this.run(
      { type: 'AttachDocument', ...body, customerId: id, documentId: body.documentId ?? context.commandId, attachedAt: now() },
      context,
    );
  }

  @Post(':id/erase')
  @HttpCode(200)
  @Roles('admin')
  @Command()
  @ApiOperation({
    summary: "Erase a person's personal data",
    description:
      'Deletes the key their personal fields are encrypted with: the events stay in the log, their personal values read back as ' +
      '{"$erased": true}. Records the erasure; no further command is accepted for this customer.',
  })
  @ApiOkResponse({ type: CommandResultDto })
  @ApiProblemResponse(404, 'Unknown customer')
  @ApiProblemResponse(422, 'Already erased')
  async erase(@Param('id', ParseIdPipe) id: string, @Body() body: EraseCustomerDto, @CurrentCommand() context: CommandContext) {
    const command: EraseCustomer = { type: 'EraseCustomer', ...body, customerId: id, erasedAt: now() };
    return this.result(id, await this.commandBus.execute(new EraseCustomerCommand(command, context)));
  }

  private async run(command: CustomerCommand, context: CommandContext): Promise<CommandResultDto> {
    return { customerId: command.customerId, ...(await executeOnStream(this.commandBus, CUSTOMER_STREAM_COMMANDS, command, context)) };
  }

  private result(customerId: string, outcome: CommandOutcome): CommandResultDto {
    return { customerId, revision: outcome.revision, position: serializePosition(outcome.position) };
  }
}
