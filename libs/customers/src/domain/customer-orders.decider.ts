import { calendarDate, type CommandHandlers, currencyCode, integer, optionalText, optionalTrimmed, ownValue, requiredText, timestamp, violation } from '#domain';
import type { RecordPurchase, RecordRefund, RecordRepurchaseReminder } from './customer.commands.js';
import type { CustomerEvent, PurchaseLine, RefundLine } from './customer.events.js';
import type { CustomerState } from './customer.state.js';
import { purchaseFrequency } from './purchase-frequency.js';

/** What the customer bought: purchases, refunds, and the reminders to buy again. */
export type OrderCommand = RecordPurchase | RecordRefund | RecordRepurchaseReminder;

export const ORDER_COMMANDS: CommandHandlers<OrderCommand, CustomerState, CustomerEvent> = {
  RecordPurchase: recordPurchase,
  RecordRefund: recordRefund,
  RecordRepurchaseReminder: recordRepurchaseReminder,
};

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

function safeSum(amounts: number[], field: string): number {
  const total = amounts.reduce((sum, amount) => sum + amount, 0);
  if (!amounts.every(Number.isSafeInteger) || !Number.isSafeInteger(total)) violation('amount_too_large', 'the amount is too large', field);
  return total;
}
