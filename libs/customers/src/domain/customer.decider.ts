import { NotFoundError, type Decider } from '#domain';
import {
  calendarDate,
  currencyCode,
  distinctTags,
  integer,
  nonEmpty,
  oneOf,
  optionalCurrencyCode,
  optionalEmail,
  optionalInteger,
  optionalOneOf,
  optionalText,
  optionalTrimmed,
  ownValue,
  requiredText,
  requiredTrimmed,
  sameJson,
  stripUndefined,
  textFields,
  timestamp,
  violation,
} from '#domain';
import type {
  AddNote,
  AssignOwner,
  AttachDocument,
  ConvertLead,
  CustomerCommand,
  EraseCustomer,
  LogCall,
  LogEmail,
  LogMeeting,
  RecordClick,
  RecordContract,
  RecordFollowUpDue,
  RecordFormSubmission,
  RecordPurchase,
  RecordRefund,
  RecordRepurchaseReminder,
  RecordSiteVisit,
  RegisterCustomer,
  ReviseContract,
  TerminateContract,
  UpdateProfile,
} from './customer.commands.js';
import {
  ADDRESS_FIELDS,
  AGE_BANDS,
  CALL_OUTCOMES,
  COMPANY_FIELDS,
  COMPANY_SIZES,
  CONTRACT_KINDS,
  CUSTOMER_SOURCES,
  CUSTOMER_STAGES,
  DIRECTIONS,
  DOCUMENT_KINDS,
  MEETING_KINDS,
  type Address,
  type Changes,
  type Contact,
  type ContactChanges,
  type ContractChanges,
  type CustomerEvent,
  type Demographics,
  type ProfileUpdatedData,
  type PurchaseLine,
  type RefundLine,
  reschedulesFollowUp,
} from './customer.events.js';
import { initialCustomerState, type ContractState, type CustomerState, type OrderState } from './customer.state.js';
import { clickData, utm } from './customer.tracking.js';
import { purchaseFrequency } from './purchase-frequency.js';

/**
 * The customer context's write model. `decide` enforces the rules and throws
 * {@link NotFoundError} (`customer_not_found`, `contract_not_found`) or RuleViolationError (reasons
 * below, with the command field at fault); `evolve` trusts the events it folds.
 */
export const customerDecider: Decider<CustomerCommand, CustomerEvent, CustomerState> = {
  initialState: initialCustomerState,
  decide: decideCustomer,
  evolve: evolveCustomer,
};

// ================================================================================================
// decide
// ================================================================================================

export function decideCustomer(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  if (state.registered && state.customerId !== command.customerId) {
    // The command side loaded another customer's stream: a bug, not a user error.
    throw new Error(`command for customer ${command.customerId} decided on the stream of customer ${state.customerId}`);
  }
  if (command.type === 'RegisterCustomer') return [stripUndefined(register(command, state))];
  if (!state.registered) {
    throw new NotFoundError('customer_not_found', `customer ${command.customerId} is not registered`, 'customerId');
  }
  if (state.erased) violation('customer_erased', `customer ${command.customerId} was erased`);
  // Every event leaves without undefined properties, whatever the branch built.
  return decideForRegistered(command, state).map((event) => stripUndefined(event));
}

function decideForRegistered(command: Exclude<CustomerCommand, RegisterCustomer>, state: CustomerState): CustomerEvent[] {
  switch (command.type) {
    case 'UpdateProfile':
      return [updateProfile(command, state)];
    case 'AssignOwner':
      return [assignOwner(command, state)];
    case 'ConvertLead':
      return [convertLead(command, state)];
    case 'LogCall':
      return [logCall(command)];
    case 'LogEmail':
      return [logEmail(command)];
    case 'LogMeeting':
      return [logMeeting(command)];
    case 'RecordClick':
      return [recordClick(command)];
    case 'RecordSiteVisit':
      return [recordSiteVisit(command)];
    case 'RecordFormSubmission':
      return [recordFormSubmission(command)];
    case 'RecordPurchase':
      return [recordPurchase(command, state)];
    case 'RecordRefund':
      return [recordRefund(command, state)];
    case 'RecordContract':
      return [recordContract(command, state)];
    case 'ReviseContract':
      return [reviseContract(command, state)];
    case 'TerminateContract':
      return [terminateContract(command, state)];
    case 'RecordFollowUpDue':
      return [recordFollowUpDue(command, state)];
    case 'RecordRepurchaseReminder':
      return [recordRepurchaseReminder(command, state)];
    case 'AddNote':
      return [addNote(command)];
    case 'AttachDocument':
      return [attachDocument(command, state)];
    case 'EraseCustomer':
      return [eraseCustomer(command)];
    default: {
      const unknown: never = command;
      throw new Error(`unknown customer command ${(unknown as { type: string }).type}`);
    }
  }
}

// ---- profile ----------------------------------------------------------------------------------

function register(command: RegisterCustomer, state: CustomerState): CustomerEvent {
  if (state.erased) violation('customer_erased', `customer ${command.customerId} was erased`);
  if (state.registered) violation('customer_already_registered', `customer ${command.customerId} is already registered`, 'customerId');
  const registeredAt = timestamp(command.registeredAt, 'registeredAt');
  const contactInput = command.contact as RegisterCustomer['contact'] | undefined;
  if (typeof contactInput !== 'object' || contactInput === null) violation('name_required', 'contact.name is required', 'contact.name');
  const contact: Contact = {
    name: requiredTrimmed(contactInput.name, 'contact.name', 'name_required'),
    email: optionalEmail(contactInput.email, 'contact.email'),
    phone: optionalTrimmed(contactInput.phone, 'contact.phone'),
    address: nonEmpty(textFields(contactInput.address, ADDRESS_FIELDS, 'contact.address')),
  };
  return {
    type: 'CustomerRegistered',
    data: {
      customerId: requiredText(command.customerId, 'customerId'),
      stage: optionalOneOf(command.stage, CUSTOMER_STAGES, 'stage') ?? 'lead',
      source: oneOf(command.source, CUSTOMER_SOURCES, 'source'),
      contact,
      company: nonEmpty(textFields(command.company, COMPANY_FIELDS, 'company')),
      demographics: nonEmpty(demographics(command.demographics, 'demographics', registeredAt)),
      tags: distinctTags(command.tags, 'tags'),
      ownerRepId: optionalText(command.ownerRepId, 'ownerRepId'),
      visitorId: optionalText(command.visitorId, 'visitorId'),
      campaignId: optionalText(command.campaignId, 'campaignId'),
      adId: optionalText(command.adId, 'adId'),
      affiliateSiteId: optionalText(command.affiliateSiteId, 'affiliateSiteId'),
      registeredAt,
    },
  };
}

function updateProfile(command: UpdateProfile, state: CustomerState): CustomerEvent {
  const updatedAt = timestamp(command.updatedAt, 'updatedAt');
  const data: ProfileUpdatedData = { updatedAt };

  if (command.contact !== undefined && command.contact !== null) {
    const input = command.contact;
    const current: Partial<Contact> = state.contact ?? {};
    const changes: ContactChanges = {};
    if (input.name !== undefined) {
      const name = requiredTrimmed(input.name, 'contact.name', 'name_required');
      if (!sameJson(name, current.name)) changes.name = name;
    }
    if (input.email !== undefined) setChange(changes, 'email', optionalEmail(input.email, 'contact.email'), current.email);
    if (input.phone !== undefined) setChange(changes, 'phone', optionalTrimmed(input.phone, 'contact.phone'), current.phone);
    if (input.address !== undefined) {
      const address =
        input.address === null
          ? undefined
          : nonEmpty(mergeFields(plainAddress(current.address), textChanges(input.address, ADDRESS_FIELDS, 'contact.address')));
      setChange(changes, 'address', address, current.address);
    }
    if (Object.keys(changes).length > 0) data.contact = changes;
  }

  if (command.company !== undefined && command.company !== null) {
    const changes = diffFields(textChanges(command.company, COMPANY_FIELDS, 'company'), state.company ?? {});
    if (Object.keys(changes).length > 0) data.company = changes;
  }

  if (command.demographics !== undefined && command.demographics !== null) {
    const changes = diffFields(demographicChanges(command.demographics, updatedAt), state.demographics ?? {});
    if (Object.keys(changes).length > 0) data.demographics = changes;
  }

  if (command.tags !== undefined && command.tags !== null) {
    const tags = distinctTags(command.tags, 'tags');
    if (!sameJson(tags, state.tags)) data.tags = tags;
  }

  if (Object.keys(data).length === 1) violation('no_changes', 'the profile already holds these values');
  return { type: 'ProfileUpdated', data };
}

function assignOwner(command: AssignOwner, state: CustomerState): CustomerEvent {
  const repId = requiredText(command.repId, 'repId');
  const assignedAt = timestamp(command.assignedAt, 'assignedAt');
  if (repId === state.ownerRepId) violation('no_changes', `rep ${repId} already owns this customer`, 'repId');
  return { type: 'OwnerAssigned', data: { repId, previousRepId: state.ownerRepId ?? undefined, assignedAt } };
}

function convertLead(command: ConvertLead, state: CustomerState): CustomerEvent {
  const convertedAt = timestamp(command.convertedAt, 'convertedAt');
  if (state.stage === 'customer' || state.stage === null) violation('already_converted', 'already a customer');
  return { type: 'LeadConverted', data: { fromStage: state.stage, convertedAt } };
}

function eraseCustomer(command: EraseCustomer): CustomerEvent {
  return {
    type: 'CustomerErased',
    data: { erasedAt: timestamp(command.erasedAt, 'erasedAt'), reason: optionalText(command.reason, 'reason') },
  };
}

// ---- interactions -----------------------------------------------------------------------------

function logCall(command: LogCall): CustomerEvent {
  return {
    type: 'CallLogged',
    data: {
      callId: requiredText(command.callId, 'callId'),
      direction: oneOf(command.direction, DIRECTIONS, 'direction'),
      durationSeconds: integer(command.durationSeconds, 'durationSeconds', 0),
      outcome: oneOf(command.outcome, CALL_OUTCOMES, 'outcome'),
      repId: requiredText(command.repId, 'repId'),
      summary: optionalText(command.summary, 'summary'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function logEmail(command: LogEmail): CustomerEvent {
  if (typeof command.subject !== 'string') violation('required', 'subject is required', 'subject');
  return {
    type: 'EmailLogged',
    data: {
      emailId: requiredText(command.emailId, 'emailId'),
      direction: oneOf(command.direction, DIRECTIONS, 'direction'),
      // An e-mail may have an empty subject; it is kept as sent.
      subject: command.subject,
      summary: optionalText(command.summary, 'summary'),
      repId: optionalText(command.repId, 'repId'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function logMeeting(command: LogMeeting): CustomerEvent {
  return {
    type: 'MeetingLogged',
    data: {
      meetingId: requiredText(command.meetingId, 'meetingId'),
      kind: oneOf(command.kind, MEETING_KINDS, 'kind'),
      location: optionalText(command.location, 'location'),
      durationMinutes: integer(command.durationMinutes, 'durationMinutes', 0),
      repId: requiredText(command.repId, 'repId'),
      summary: optionalText(command.summary, 'summary'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function recordClick(command: RecordClick): CustomerEvent {
  return { type: 'LeadClickRecorded', data: clickData(command) };
}

function recordSiteVisit(command: RecordSiteVisit): CustomerEvent {
  return {
    type: 'SiteVisitRecorded',
    data: {
      visitId: requiredText(command.visitId, 'visitId'),
      url: requiredText(command.url, 'url'),
      referrer: optionalText(command.referrer, 'referrer'),
      pageCount: optionalInteger(command.pageCount, 'pageCount', 0),
      durationSeconds: optionalInteger(command.durationSeconds, 'durationSeconds', 0),
      campaignId: optionalText(command.campaignId, 'campaignId'),
      adId: optionalText(command.adId, 'adId'),
      affiliateSiteId: optionalText(command.affiliateSiteId, 'affiliateSiteId'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function recordFormSubmission(command: RecordFormSubmission): CustomerEvent {
  const input: unknown = command.fields;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) violation('invalid_value', 'fields must be an object of strings', 'fields');
  const entries = Object.entries(input).filter(([, value]) => value !== undefined && value !== null);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') violation('invalid_value', `fields.${key} must be a string`, `fields.${key}`);
  }
  // fromEntries defines own properties: a form field named `__proto__` stays a field.
  const fields = Object.fromEntries(entries) as Record<string, string>;
  return {
    type: 'FormSubmissionRecorded',
    data: {
      submissionId: requiredText(command.submissionId, 'submissionId'),
      formId: requiredText(command.formId, 'formId'),
      fields,
      campaignId: optionalText(command.campaignId, 'campaignId'),
      adId: optionalText(command.adId, 'adId'),
      affiliateSiteId: optionalText(command.affiliateSiteId, 'affiliateSiteId'),
      utm: utm(command.utm),
      visitorId: optionalText(command.visitorId, 'visitorId'),
      occurredAt: timestamp(command.occurredAt, 'occurredAt'),
    },
  };
}

function addNote(command: AddNote): CustomerEvent {
  if (typeof command.text !== 'string' || command.text.trim() === '') violation('empty_note', 'a note needs text', 'text');
  return {
    type: 'NoteAdded',
    data: {
      noteId: requiredText(command.noteId, 'noteId'),
      text: command.text,
      authorRepId: optionalText(command.authorRepId, 'authorRepId'),
      addedAt: timestamp(command.addedAt, 'addedAt'),
    },
  };
}

function attachDocument(command: AttachDocument, state: CustomerState): CustomerEvent {
  const documentId = requiredText(command.documentId, 'documentId');
  if (state.documentIds.includes(documentId)) {
    violation('document_already_attached', `document ${documentId} is already attached`, 'documentId');
  }
  const contractId = optionalText(command.contractId, 'contractId');
  if (contractId !== undefined && ownValue(state.contracts, contractId) === undefined) {
    violation('unknown_contract', `no contract ${contractId} for this customer`, 'contractId');
  }
  return {
    type: 'DocumentAttached',
    data: {
      documentId,
      kind: oneOf(command.kind, DOCUMENT_KINDS, 'kind'),
      fileName: requiredText(command.fileName, 'fileName'),
      contentType: requiredText(command.contentType, 'contentType'),
      sizeBytes: integer(command.sizeBytes, 'sizeBytes', 0),
      storageRef: requiredText(command.storageRef, 'storageRef'),
      contractId,
      attachedAt: timestamp(command.attachedAt, 'attachedAt'),
    },
  };
}

// ---- purchases and refunds --------------------------------------------------------------------

function recordPurchase(command: RecordPurchase, state: CustomerState): CustomerEvent {
  const orderId = requiredText(command.orderId, 'orderId');
  if (ownValue(state.orders, orderId) !== undefined) violation('order_already_recorded', `order ${orderId} is already recorded`, 'orderId');
  const purchasedAt = timestamp(command.purchasedAt, 'purchasedAt');
  const input: unknown = command.lines;
  if (!Array.isArray(input) || input.length === 0) violation('purchase_without_lines', 'a purchase needs at least one line', 'lines');
  const lines = input.map((line: RecordPurchase['lines'][number], i): PurchaseLine => {
    const field = `lines[${i}]`;
    if (typeof line !== 'object' || line === null) violation('invalid_value', `${field} must be an object`, field);
    return {
      lineNo: i + 1,
      productSku: requiredText(line.productSku, `${field}.productSku`),
      quantity: integer(line.quantity, `${field}.quantity`, 1, 'quantity_not_positive'),
      unitPriceMinor: integer(line.unitPriceMinor, `${field}.unitPriceMinor`, 0, 'price_negative'),
      currency: currencyCode(line.currency, `${field}.currency`),
      category: optionalTrimmed(line.category, `${field}.category`),
    };
  });
  const currency = lines[0].currency;
  lines.forEach((line, i) => {
    if (line.currency !== currency) {
      violation('mixed_currencies', `line ${line.lineNo} is in ${line.currency}, line 1 in ${currency}`, `lines[${i}].currency`);
    }
  });
  const totalMinor = safeSum(
    lines.map((line) => line.quantity * line.unitPriceMinor),
    'lines',
  );
  return {
    type: 'PurchaseRecorded',
    data: {
      orderId,
      lines,
      currency,
      totalMinor,
      repId: optionalText(command.repId, 'repId'),
      purchasedAt,
      specialInstructions: optionalText(command.specialInstructions, 'specialInstructions'),
    },
  };
}

function recordRefund(command: RecordRefund, state: CustomerState): CustomerEvent {
  const refundId = requiredText(command.refundId, 'refundId');
  if (state.refundIds.includes(refundId)) violation('refund_already_recorded', `refund ${refundId} is already recorded`, 'refundId');
  const orderId = requiredText(command.orderId, 'orderId');
  const order = ownValue(state.orders, orderId);
  if (order === undefined) violation('unknown_order', `no order ${orderId} for this customer`, 'orderId');
  const refundedAt = timestamp(command.refundedAt, 'refundedAt');
  const input: unknown = command.lines;
  if (!Array.isArray(input) || input.length === 0) violation('refund_without_lines', 'a refund needs at least one line', 'lines');
  const seen = new Set<number>();
  const lines = input.map((line: RecordRefund['lines'][number], i): RefundLine => {
    const field = `lines[${i}]`;
    if (typeof line !== 'object' || line === null) violation('invalid_value', `${field} must be an object`, field);
    const lineNo = integer(line.lineNo, `${field}.lineNo`, 1, 'unknown_order_line');
    const bought = order.lines.find((candidate) => candidate.lineNo === lineNo);
    if (bought === undefined) violation('unknown_order_line', `order ${orderId} has no line ${lineNo}`, `${field}.lineNo`);
    if (seen.has(lineNo)) violation('duplicate_refund_line', `line ${lineNo} is refunded twice in one refund`, `${field}.lineNo`);
    seen.add(lineNo);
    const quantity = integer(line.quantity, `${field}.quantity`, 1, 'quantity_not_positive');
    const quantityLeft = bought.quantity - bought.refundedQuantity;
    if (quantity > quantityLeft) {
      violation('refund_exceeds_purchase', `line ${lineNo}: ${quantity} refunded, ${quantityLeft} left to refund`, `${field}.quantity`);
    }
    const amountMinor =
      line.amountMinor === undefined || line.amountMinor === null
        ? quantity * bought.unitPriceMinor
        : integer(line.amountMinor, `${field}.amountMinor`, 0, 'amount_negative');
    const amountLeft = bought.quantity * bought.unitPriceMinor - bought.refundedMinor;
    if (amountMinor > amountLeft) {
      violation('refund_exceeds_purchase', `line ${lineNo}: ${amountMinor} refunded, ${amountLeft} left to refund`, `${field}.amountMinor`);
    }
    return { lineNo, quantity, amountMinor };
  });
  return {
    type: 'RefundRecorded',
    data: {
      refundId,
      orderId,
      lines,
      currency: order.currency,
      totalMinor: safeSum(
        lines.map((line) => line.amountMinor),
        'lines',
      ),
      reason: optionalText(command.reason, 'reason'),
      refundedAt,
    },
  };
}

// ---- contracts --------------------------------------------------------------------------------

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

function recordRepurchaseReminder(command: RecordRepurchaseReminder, state: CustomerState): CustomerEvent {
  const expectedOn = calendarDate(command.expectedOn, 'expectedOn');
  const frequency = purchaseFrequency(Object.values(state.orders).map((order) => order.purchasedAt));
  if (frequency?.expectedOn == null || frequency.medianIntervalDays === null) {
    violation('purchase_history_too_short', `customer ${command.customerId} has not bought on two different days`, 'expectedOn');
  }
  if (frequency.expectedOn !== expectedOn) {
    violation('repurchase_expectation_changed', `the next purchase of customer ${command.customerId} is now expected on ${frequency.expectedOn}`, 'expectedOn');
  }
  if (state.repurchaseRemindersOn.includes(expectedOn)) {
    violation('repurchase_already_reminded', `customer ${command.customerId} was already reminded of the purchase expected on ${expectedOn}`, 'expectedOn');
  }
  const repId = state.ownerRepId ?? undefined;
  return {
    type: 'RepurchaseReminderDue',
    data: {
      expectedOn,
      lastPurchaseOn: frequency.lastPurchaseOn,
      medianIntervalDays: frequency.medianIntervalDays,
      purchaseDays: frequency.purchaseDays,
      repId,
      taskId: repId === undefined ? undefined : requiredText(command.taskId, 'taskId'),
      dueAt: timestamp(command.dueAt, 'dueAt'),
    },
  };
}

// ---- input helpers ----------------------------------------------------------------------------

/** `undefined` stays (not given), `null` stays (clear), anything else is checked by `check`. */
function clearable<T>(value: unknown, check: (value: unknown) => T | null): T | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return check(value);
}

/** A change set of named text fields: a value sets (trimmed), null or blank clears, absent keeps. */
function textChanges<K extends string>(input: unknown, keys: readonly K[], field: string): Partial<Record<K, string | null>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) violation('invalid_value', `${field} must be an object`, field);
  const result: Partial<Record<K, string | null>> = {};
  for (const key of keys) {
    const value = (input as Record<string, unknown>)[key];
    if (value !== undefined) result[key] = optionalTrimmed(value, `${field}.${key}`) ?? null;
  }
  return result;
}

function demographics(input: unknown, field: string, at: string): Demographics {
  if (input === undefined || input === null) return {};
  const changes = demographicChanges(input, at, field);
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== null)) as Demographics;
}

function demographicChanges(input: unknown, at: string, field = 'demographics'): Changes<Demographics> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) violation('invalid_value', `${field} must be an object`, field);
  const value = input as Record<string, unknown>;
  const changes: Changes<Demographics> = {};
  const latestYear = Number(at.slice(0, 4));
  if (value.birthYear !== undefined) {
    changes.birthYear = clearable(value.birthYear, (year) => {
      const birthYear = integer(year, `${field}.birthYear`, 1900);
      if (birthYear > latestYear) violation('invalid_value', `${field}.birthYear is in the future`, `${field}.birthYear`);
      return birthYear;
    });
  }
  if (value.ageBand !== undefined) changes.ageBand = clearable(value.ageBand, (v) => oneOf(v, AGE_BANDS, `${field}.ageBand`));
  if (value.companySize !== undefined) changes.companySize = clearable(value.companySize, (v) => oneOf(v, COMPANY_SIZES, `${field}.companySize`));
  for (const key of ['gender', 'region', 'industry'] as const) {
    if (value[key] !== undefined) changes[key] = optionalTrimmed(value[key], `${field}.${key}`) ?? null;
  }
  return changes;
}

/** The entries of `changes` that differ from `current` (a clear counts only if there is something to clear). */
function diffFields<T extends object>(changes: Changes<T>, current: Partial<T>): Changes<T> {
  const diff: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    const existing = (current as Record<string, unknown>)[key];
    if (value === null ? existing !== undefined : !sameJson(value, existing)) diff[key] = value;
  }
  return diff as Changes<T>;
}

/** Sets `changes[key]` to the new value, or to null when it clears a present one; nothing when unchanged. */
function setChange<K extends 'email' | 'phone' | 'address'>(changes: ContactChanges, key: K, next: Contact[K], current: Contact[K] | undefined): void {
  if (next === undefined) {
    if (current !== undefined) changes[key] = null;
  } else if (!sameJson(next, current)) {
    changes[key] = next;
  }
}

function mergeFields<T extends object>(current: T, changes: Changes<T>): T {
  const merged = { ...current } as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged as T;
}

/** The current address if it is a readable one (after a key erasure it reads as `{ $erased: true }`). */
function plainAddress(address: Address | undefined): Address {
  if (address === undefined || Object.hasOwn(address, '$erased')) return {};
  return address;
}

function safeSum(amounts: number[], field: string): number {
  const total = amounts.reduce((sum, amount) => sum + amount, 0);
  if (!amounts.every(Number.isSafeInteger) || !Number.isSafeInteger(total)) violation('amount_too_large', 'the amount is too large', field);
  return total;
}

// ================================================================================================
// evolve
// ================================================================================================

export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered': {
      const { data } = event;
      return {
        ...state,
        registered: true,
        customerId: data.customerId,
        stage: data.stage,
        source: data.source,
        ownerRepId: data.ownerRepId ?? null,
        contact: { ...data.contact },
        company: data.company ? { ...data.company } : null,
        demographics: data.demographics ? { ...data.demographics } : null,
        tags: [...data.tags],
        registeredAt: data.registeredAt,
      };
    }
    case 'ProfileUpdated': {
      const { data } = event;
      return {
        ...state,
        contact: data.contact ? (mergeFields(state.contact ?? ({} as Contact), data.contact as Changes<Contact>) as Contact) : state.contact,
        company: data.company ? orNull(mergeFields(state.company ?? {}, data.company)) : state.company,
        demographics: data.demographics ? orNull(mergeFields(state.demographics ?? {}, data.demographics)) : state.demographics,
        tags: data.tags ? [...data.tags] : state.tags,
      };
    }
    case 'OwnerAssigned':
      return { ...state, ownerRepId: event.data.repId };
    case 'LeadConverted':
      return { ...state, stage: 'customer', convertedAt: event.data.convertedAt };
    case 'CallLogged':
      return interaction(state, 'calls', event.data.occurredAt);
    case 'EmailLogged':
      return interaction(state, 'emails', event.data.occurredAt);
    case 'MeetingLogged':
      return interaction(state, 'meetings', event.data.occurredAt);
    case 'LeadClickRecorded':
      return interaction(state, 'clicks', event.data.occurredAt);
    case 'SiteVisitRecorded':
      return interaction(state, 'siteVisits', event.data.occurredAt);
    case 'FormSubmissionRecorded':
      return interaction(state, 'formSubmissions', event.data.occurredAt);
    case 'PurchaseRecorded': {
      const { data } = event;
      const order: OrderState = {
        orderId: data.orderId,
        currency: data.currency,
        totalMinor: data.totalMinor,
        refundedMinor: 0,
        repId: data.repId ?? null,
        purchasedAt: data.purchasedAt,
        lines: data.lines.map((line) => ({
          lineNo: line.lineNo,
          productSku: line.productSku,
          quantity: line.quantity,
          unitPriceMinor: line.unitPriceMinor,
          refundedQuantity: 0,
          refundedMinor: 0,
        })),
      };
      return { ...interaction(state, 'purchases', data.purchasedAt), orders: { ...state.orders, [data.orderId]: order } };
    }
    case 'RefundRecorded': {
      const { data } = event;
      const order = ownValue(state.orders, data.orderId);
      const counted = count(state, 'refunds');
      if (order === undefined) return { ...counted, refundIds: [...state.refundIds, data.refundId] };
      const refunded: OrderState = {
        ...order,
        refundedMinor: order.refundedMinor + data.totalMinor,
        lines: order.lines.map((line) => {
          const refund = data.lines.filter((candidate) => candidate.lineNo === line.lineNo);
          if (refund.length === 0) return line;
          return {
            ...line,
            refundedQuantity: line.refundedQuantity + refund.reduce((sum, r) => sum + r.quantity, 0),
            refundedMinor: line.refundedMinor + refund.reduce((sum, r) => sum + r.amountMinor, 0),
          };
        }),
      };
      return { ...counted, refundIds: [...state.refundIds, data.refundId], orders: { ...state.orders, [data.orderId]: refunded } };
    }
    case 'ContractRecorded': {
      const { data } = event;
      const contract: ContractState = {
        contractId: data.contractId,
        kind: data.kind,
        vendorName: data.vendorName ?? null,
        title: data.title ?? null,
        startsOn: data.startsOn,
        endsOn: data.endsOn,
        valueMinor: data.valueMinor ?? null,
        currency: data.currency ?? null,
        terms: data.terms ?? null,
        followUpLeadDays: data.followUpLeadDays ?? null,
        revision: 0,
        followUpRevision: 0,
        followUpDueRevision: null,
        terminated: false,
        terminatedOn: null,
        terminationReason: null,
        recordedAt: data.recordedAt,
        lastRevisedAt: null,
      };
      return { ...state, contracts: { ...state.contracts, [data.contractId]: contract } };
    }
    case 'ContractRevised': {
      const { data } = event;
      return updateContract(state, data.contractId, (contract) => ({
        ...contract,
        ...(stripUndefined(data.changes) as Partial<ContractState>),
        revision: data.revision,
        followUpRevision: reschedulesFollowUp(data.changes) ? data.revision : contract.followUpRevision,
        lastRevisedAt: data.revisedAt,
      }));
    }
    case 'FollowUpDue':
      return updateContract(state, event.data.contractId, (contract) => ({ ...contract, followUpDueRevision: event.data.contractRevision }));
    case 'RepurchaseReminderDue':
      return { ...state, repurchaseRemindersOn: [...state.repurchaseRemindersOn, event.data.expectedOn] };
    case 'ContractTerminated': {
      const { data } = event;
      return updateContract(state, data.contractId, (contract) => ({
        ...contract,
        terminated: true,
        terminatedOn: data.terminatedOn,
        terminationReason: data.reason ?? null,
      }));
    }
    case 'NoteAdded':
      return count(state, 'notes');
    case 'DocumentAttached':
      return { ...count(state, 'documents'), documentIds: [...state.documentIds, event.data.documentId] };
    case 'CustomerErased':
      // The personal data goes; what the rules and reports need (orders, contracts, counts) stays.
      return {
        ...state,
        erased: true,
        erasedAt: event.data.erasedAt,
        contact: null,
        company: state.company ? orNull(mergeFields(state.company, { personInCharge: null })) : null,
      };
    default:
      // An event type this version does not know (written by a newer one): nothing to fold.
      return state;
  }
}

function count(state: CustomerState, kind: keyof CustomerState['interactions']): CustomerState {
  return { ...state, interactions: { ...state.interactions, [kind]: state.interactions[kind] + 1 } };
}

function interaction(state: CustomerState, kind: keyof CustomerState['interactions'], at: string): CustomerState {
  const counted = count(state, kind);
  return state.lastInteractionAt !== null && state.lastInteractionAt >= at ? counted : { ...counted, lastInteractionAt: at };
}

function updateContract(state: CustomerState, contractId: string, change: (contract: ContractState) => ContractState): CustomerState {
  const contract = ownValue(state.contracts, contractId);
  return contract === undefined ? state : { ...state, contracts: { ...state.contracts, [contractId]: change(contract) } };
}

function orNull<T extends object>(value: T): T | null {
  return Object.keys(value).length === 0 ? null : value;
}
