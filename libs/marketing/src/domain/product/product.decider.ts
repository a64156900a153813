import { calendarDate, currencyCode, type Decider, integer, NotFoundError, optionalInteger, optionalText, requiredText, requiredTrimmed, stripUndefined, timestamp, violation } from '#domain';
import type { ChangeProductPrice, ListProduct, ProductCommand, RetireProduct } from './product.commands.js';
import type { ProductEvent } from './product.events.js';
import { initialProductState, type PriceState, type ProductState } from './product.state.js';

/**
 * The product catalog's write model. `decide` enforces the rules and throws {@link NotFoundError}
 * (`product_not_found`) or RuleViolationError (reasons below, with the command field at fault);
 * `evolve` trusts the events it folds.
 */
export const productDecider: Decider<ProductCommand, ProductEvent, ProductState> = {
  initialState: initialProductState,
  decide: decideProduct,
  evolve: evolveProduct,
};

// ================================================================================================
// decide
// ================================================================================================

export function decideProduct(command: ProductCommand, state: ProductState): ProductEvent[] {
  if (command.type === 'ListProduct') return [stripUndefined(list(command, state))];
  if (!state.listed) throw new NotFoundError('product_not_found', `product ${command.sku} is not listed`, 'sku');
  if (state.retired) violation('product_retired', `product ${command.sku} was retired`);
  // Every event leaves without undefined properties, whatever the branch built.
  return [stripUndefined(decideForListed(command, state))];
}

function decideForListed(command: Exclude<ProductCommand, ListProduct>, state: ProductState): ProductEvent {
  switch (command.type) {
    case 'ChangeProductPrice':
      return changePrice(command, state);
    case 'RetireProduct':
      return retire(command);
    default: {
      const unknown: never = command;
      throw new Error(`unknown product command ${(unknown as { type: string }).type}`);
    }
  }
}

function list(command: ListProduct, state: ProductState): ProductEvent {
  if (state.retired) violation('product_retired', `product ${command.sku} was retired`);
  if (state.listed) violation('product_already_listed', `product ${command.sku} is already listed`, 'sku');
  return {
    type: 'ProductListed',
    data: {
      sku: requiredText(command.sku, 'sku'),
      name: requiredTrimmed(command.name, 'name', 'name_required'),
      category: requiredTrimmed(command.category, 'category'),
      currency: currencyCode(command.currency, 'currency'),
      // Cost may exceed price: selling at a loss is a business decision, and reports show the negative margin.
      listPriceMinor: integer(command.listPriceMinor, 'listPriceMinor', 0, 'amount_negative'),
      unitCostMinor: integer(command.unitCostMinor, 'unitCostMinor', 0, 'amount_negative'),
      effectiveFrom: calendarDate(command.effectiveFrom, 'effectiveFrom'),
      listedAt: timestamp(command.listedAt, 'listedAt'),
    },
  };
}

function changePrice(command: ChangeProductPrice, state: ProductState): ProductEvent {
  const listPriceMinor = optionalInteger(command.listPriceMinor, 'listPriceMinor', 0, 'amount_negative');
  const unitCostMinor = optionalInteger(command.unitCostMinor, 'unitCostMinor', 0, 'amount_negative');
  if (listPriceMinor === undefined && unitCostMinor === undefined) {
    violation('price_or_cost_required', 'a price change needs listPriceMinor or unitCostMinor');
  }
  const changedAt = timestamp(command.changedAt, 'changedAt');
  const effectiveFrom = calendarDate(command.effectiveFrom, 'effectiveFrom');
  const latest = latestPrice(state);
  if (effectiveFrom <= latest.effectiveFrom) {
    violation('price_not_after_latest', `effectiveFrom must be after ${latest.effectiveFrom}, when the latest price took effect`, 'effectiveFrom');
  }
  // Margins of sales already made stay as they were: a price takes effect today (UTC) at the earliest.
  const today = changedAt.slice(0, 10);
  if (effectiveFrom < today) violation('price_in_past', `effectiveFrom ${effectiveFrom} is before ${today}: prices never change the past`, 'effectiveFrom');
  if ((listPriceMinor ?? latest.listPriceMinor) === latest.listPriceMinor && (unitCostMinor ?? latest.unitCostMinor) === latest.unitCostMinor) {
    violation('no_changes', `the price and cost in force from ${latest.effectiveFrom} are already these`);
  }
  return { type: 'ProductPriceChanged', data: { listPriceMinor, unitCostMinor, effectiveFrom, changedAt } };
}

function retire(command: RetireProduct): ProductEvent {
  return { type: 'ProductRetired', data: { reason: optionalText(command.reason, 'reason'), retiredAt: timestamp(command.retiredAt, 'retiredAt') } };
}

/** The latest price of a listed product (the listing's, at least). */
function latestPrice(state: ProductState): PriceState {
  const latest = state.prices.at(-1);
  if (latest === undefined) throw new Error('a listed product without a price: the listing was not folded');
  return latest;
}

// ================================================================================================
// evolve
// ================================================================================================

export function evolveProduct(state: ProductState, event: ProductEvent): ProductState {
  switch (event.type) {
    case 'ProductListed': {
      const { data } = event;
      return {
        ...state,
        listed: true,
        name: data.name,
        category: data.category,
        currency: data.currency,
        prices: [{ effectiveFrom: data.effectiveFrom, listPriceMinor: data.listPriceMinor, unitCostMinor: data.unitCostMinor }],
        listedAt: data.listedAt,
      };
    }
    case 'ProductPriceChanged': {
      const { data } = event;
      const latest = latestPrice(state);
      const price: PriceState = {
        effectiveFrom: data.effectiveFrom,
        listPriceMinor: data.listPriceMinor ?? latest.listPriceMinor,
        unitCostMinor: data.unitCostMinor ?? latest.unitCostMinor,
      };
      return { ...state, prices: [...state.prices, price] };
    }
    case 'ProductRetired':
      return { ...state, retired: true, retiredAt: event.data.retiredAt, retirementReason: event.data.reason ?? null };
    default:
      // An event type this version does not know (written by a newer one): nothing to fold.
      return state;
  }
}
