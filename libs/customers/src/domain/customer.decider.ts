import { handleCommand, NotFoundError, ownValue, stripUndefined, violation, type CommandHandlers, type Decider } from '#domain';
import { CONTRACT_COMMANDS } from './customer-contracts.decider.js';
import { INTERACTION_COMMANDS } from './customer-interactions.decider.js';
import { ORDER_COMMANDS } from './customer-orders.decider.js';
import { PROFILE_COMMANDS, register } from './customer-profile.decider.js';
import type { CustomerCommand, RegisterCustomer } from './customer.commands.js';
import { reschedulesFollowUp, type Changes, type Contact, type CustomerEvent } from './customer.events.js';
import { mergeFields } from './customer.rules.js';
import { initialCustomerState, type ContractState, type CustomerState, type OrderState } from './customer.state.js';

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

/** Each command of a registered customer, by its sub-context's decider; the map's type makes it exhaustive. */
const REGISTERED_COMMANDS: CommandHandlers<Exclude<CustomerCommand, RegisterCustomer>, CustomerState, CustomerEvent> = {
  ...PROFILE_COMMANDS,
  ...INTERACTION_COMMANDS,
  ...ORDER_COMMANDS,
  ...CONTRACT_COMMANDS,
};

function decideForRegistered(command: Exclude<CustomerCommand, RegisterCustomer>, state: CustomerState): CustomerEvent[] {
  return [handleCommand(REGISTERED_COMMANDS, command, state)];
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
