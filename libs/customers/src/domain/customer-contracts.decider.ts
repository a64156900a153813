import { calendarDate, type CommandHandlers, currencyCode, integer, NotFoundError, oneOf, optionalCurrencyCode, optionalInteger, optionalText, optionalTrimmed, ownValue, requiredText, sameJson, timestamp, violation } from '#domain';
import type { RecordContract, RecordFollowUpDue, ReviseContract, TerminateContract } from './customer.commands.js';
import { CONTRACT_KINDS, type ContractChanges, type CustomerEvent } from './customer.events.js';
import type { ContractState, CustomerState } from './customer.state.js';

import { clearable } from './customer.rules.js';

/** The customer's contracts (theirs with us and with competitors) and the follow-ups before they end. */
export type ContractCommand = RecordContract | ReviseContract | TerminateContract | RecordFollowUpDue;

export const CONTRACT_COMMANDS: CommandHandlers<ContractCommand, CustomerState, CustomerEvent> = {
  RecordContract: recordContract,
  ReviseContract: reviseContract,
  TerminateContract: terminateContract,
  RecordFollowUpDue: recordFollowUpDue,
};

function recordContract(command: RecordContract, state: CustomerState): CustomerEvent {
  const contractId = requiredText(command.contractId, 'contractId');
  if (ownValue(state.contracts, contractId) !== undefined) {
    violation('contract_already_recorded', `contract ${contractId} is already recorded`, 'contractId');
  }
  const kind = oneOf(command.kind, CONTRACT_KINDS, 'kind');
  const vendorName = optionalTrimmed(command.vendorName, 'vendorName');
  if (kind === 'competitor' && vendorName === undefined) violation('vendor_required', 'a competitor contract needs vendorName', 'vendorName');
  const startsOn = calendarDate(command.startsOn, 'startsOn');
  const endsOn = calendarDate(command.endsOn, 'endsOn');
  if (endsOn <= startsOn) violation('contract_ends_before_start', `endsOn ${endsOn} is not after startsOn ${startsOn}`, 'endsOn');
  const valueMinor = optionalInteger(command.valueMinor, 'valueMinor', 0, 'amount_negative');
  const currency = optionalCurrencyCode(command.currency, 'currency');
  if (valueMinor !== undefined && currency === undefined) violation('currency_required', 'a contract value needs a currency', 'currency');
  return {
    type: 'ContractRecorded',
    data: {
      contractId,
      kind,
      vendorName,
      title: optionalText(command.title, 'title'),
      startsOn,
      endsOn,
      valueMinor,
      currency,
      terms: optionalText(command.terms, 'terms'),
      followUpLeadDays: optionalInteger(command.followUpLeadDays, 'followUpLeadDays', 0),
      recordedAt: timestamp(command.recordedAt, 'recordedAt'),
    },
  };
}

function existingContract(contractId: unknown, state: CustomerState): ContractState {
  const id = requiredText(contractId, 'contractId');
  const contract = ownValue(state.contracts, id);
  if (contract === undefined) throw new NotFoundError('contract_not_found', `no contract ${id} for this customer`, 'contractId');
  if (contract.terminated) violation('contract_terminated', `contract ${id} was terminated on ${contract.terminatedOn}`, 'contractId');
  return contract;
}

function reviseContract(command: ReviseContract, state: CustomerState): CustomerEvent {
  const contract = existingContract(command.contractId, state);
  const revisedAt = timestamp(command.revisedAt, 'revisedAt');
  const input = (command.changes ?? {}) as ReviseContract['changes'];
  if (input.startsOn === null) violation('invalid_date', 'startsOn cannot be cleared', 'changes.startsOn');
  if (input.endsOn === null) violation('invalid_date', 'endsOn cannot be cleared', 'changes.endsOn');
  const proposed: ContractChanges = {
    startsOn: input.startsOn === undefined ? undefined : calendarDate(input.startsOn, 'changes.startsOn'),
    endsOn: input.endsOn === undefined ? undefined : calendarDate(input.endsOn, 'changes.endsOn'),
    valueMinor: clearable(input.valueMinor, (v) => integer(v, 'changes.valueMinor', 0, 'amount_negative')),
    currency: clearable(input.currency, (v) => currencyCode(v, 'changes.currency')),
    terms: clearable(input.terms, (v) => optionalText(v, 'changes.terms') ?? null),
    followUpLeadDays: clearable(input.followUpLeadDays, (v) => integer(v, 'changes.followUpLeadDays', 0)),
  };
  const changes: ContractChanges = {};
  for (const key of Object.keys(proposed) as (keyof ContractChanges)[]) {
    const value = proposed[key];
    if (value !== undefined && !sameJson(value, contract[key])) (changes as Record<string, unknown>)[key] = value;
  }
  const after = { ...contract, ...changes };
  if (after.endsOn <= after.startsOn) {
    const field = changes.endsOn !== undefined ? 'changes.endsOn' : 'changes.startsOn';
    violation('contract_ends_before_start', `endsOn ${after.endsOn} would not be after startsOn ${after.startsOn}`, field);
  }
  if (after.valueMinor !== null && after.currency === null) {
    violation('currency_required', 'a contract value needs a currency', 'changes.currency');
  }
  if (Object.keys(changes).length === 0) violation('no_changes', `contract ${contract.contractId} already has these terms`, 'changes');
  return { type: 'ContractRevised', data: { contractId: contract.contractId, revision: contract.revision + 1, changes, revisedAt } };
}

function terminateContract(command: TerminateContract, state: CustomerState): CustomerEvent {
  const contract = existingContract(command.contractId, state);
  return {
    type: 'ContractTerminated',
    data: {
      contractId: contract.contractId,
      terminatedOn: calendarDate(command.terminatedOn, 'terminatedOn'),
      reason: optionalText(command.reason, 'reason'),
      terminatedAt: timestamp(command.terminatedAt, 'terminatedAt'),
    },
  };
}

function recordFollowUpDue(command: RecordFollowUpDue, state: CustomerState): CustomerEvent {
  const contract = existingContract(command.contractId, state);
  const contractRevision = integer(command.contractRevision, 'contractRevision', 0);
  if (contractRevision !== contract.followUpRevision) {
    violation('follow_up_rescheduled', `revision ${contract.followUpRevision} of contract ${contract.contractId} rescheduled its follow-up`, 'contractRevision');
  }
  if (contract.followUpDueRevision === contractRevision) {
    violation('follow_up_already_due', `the follow-up of contract ${contract.contractId} (revision ${contractRevision}) is already due`, 'contractRevision');
  }
  const repId = state.ownerRepId ?? undefined;
  return {
    type: 'FollowUpDue',
    data: {
      contractId: contract.contractId,
      contractRevision,
      endsOn: contract.endsOn,
      dueOn: calendarDate(command.dueOn, 'dueOn'),
      repId,
      taskId: repId === undefined ? undefined : requiredText(command.taskId, 'taskId'),
      dueAt: timestamp(command.dueAt, 'dueAt'),
    },
  };
}
