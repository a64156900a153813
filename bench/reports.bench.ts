import { marketingProjection, MarketingQueries } from '#projections/marketing-attribution';
import { salesAnalyticsProjection, SalesAnalyticsQueries } from '#projections/sales-analytics';
import {
  AGE_BANDS,
  COMPANY_SIZES,
  customerDecider,
  customerStream,
  type ClickKind,
  type CustomerCommand,
  type Demographics,
  type PurchaseLineInput,
  type RecordPurchase,
  type Utm,
} from '#customers/domain';
import {
  campaignDecider,
  campaignStream,
  productDecider,
  productStream,
  visitorDecider,
  visitorStream,
  type CampaignChannel,
  type CampaignCommand,
  type ProductCommand,
  type VisitorCommand,
} from '#marketing/domain';
import type { Projection } from '#read-model-engine';
import {
  BATCH_SIZE,
  CATCHUP,
  analyzeReadModels,
  baselineInsert,
  catchUp,
  fmt,
  positiveInteger,
  printCatchUp,
  printQueries,
  runBench,
  schemaOf,
  timeQueries,
  type QueryResult,
} from './support/harness.js';
import { SEED_WRITERS, decidedHistory, logStats, mix, seedLog, type SeedRow } from './support/seed.js';

// Here (2 CPUs) the defaults took 8 min with the machine busy with other work (seeding 1, the two
// catch-ups 4, the reports 3); quiet, small runs went twice as fast. At 1,000,000 events each part
// takes about five times as long: 20 to 40 min.
const EVENTS = positiveInteger('BENCH_EVENTS', 200_000);
const QUERIES = positiveInteger('BENCH_QUERIES', 100);
const PRODUCTS = positiveInteger('BENCH_PRODUCTS', 200);
const CAMPAIGNS = positiveInteger('BENCH_CAMPAIGNS', 48);
/** Untimed runs per report first: fewer than the point queries of bench:projections, as a report over a year reads far more. */
const WARMUP = 10;

// The routes' defaults (apps/api/src/reports/reports.controller.ts).
const LOOKBACK_DAYS = 30;
const PRICE_BUCKET_MINOR = 100;
const TOP = 5;

// The variants the API offers, typed by the query classes so that a renamed one fails to compile.
type ReportRange = Parameters<MarketingQueries['campaigns']>[0];
const MODELS = ['first-touch', 'last-touch', 'linear'] as const satisfies readonly Parameters<MarketingQueries['attribution']>[0]['model'][];
const INTERVALS = ['month', 'week'] as const satisfies readonly Parameters<SalesAnalyticsQueries['purchaseTrends']>[0]['interval'][];
const SEGMENTS = ['region', 'industry', 'age-band'] as const satisfies readonly Parameters<SalesAnalyticsQueries['profitability']>[0]['segment'][];

const CURRENCY = 'EUR';
/** What one customer in twenty pays in: no list price or cost (the catalog is in EUR), and no money in the EUR reports. */
const OTHER_CURRENCY = 'GBP';
const AFFILIATE_SITES = 30;
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'coast', 'highlands', 'islands'];
const INDUSTRIES = ['retail', 'software', 'manufacturing', 'finance', 'health', 'logistics', 'education', 'public sector'];
const GENDERS = ['female', 'male', 'female', 'male', 'non-binary'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Two years, so that purchase trends have a year before to compare with. */
const SPAN_START = Date.UTC(2023, 0, 1);
const SPAN_DAYS = 731;
const SPAN_END = SPAN_START + SPAN_DAYS * DAY;
/** Visitors click in the two weeks before registering: registrations start that late, so every click is in the span. */
const VISITOR_DAYS = 14;

const iso = (ms: number) => new Date(ms).toISOString();
const dateOf = (ms: number) => iso(ms).slice(0, 10);
const dayOf = (ms: number) => Math.floor((ms - SPAN_START) / DAY);
const pad = (n: number, width: number) => String(n).padStart(width, '0');

// ---- deterministic choices -----------------------------------------------------------------

/** Kinds of choice, each with its own sequences. */
const SALT = { product: 1, campaign: 2, visitor: 3, customer: 4, registered: 5, identified: 6, range: 7 } as const;

/** The n-th sequence of uniform numbers in [0, 1) of a kind: the same log and ranges every run. */
function randoms(salt: number, n: number): () => number {
  const seed = mix(salt, n);
  let k = 0;
  return () => mix(seed, k++) / 2 ** 32;
}

type Random = () => number;
const between = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)];
const chance = (random: Random, p: number) => random() < p;

// ---- the catalog ---------------------------------------------------------------------------

interface Category {
  readonly name: string;
  /** List prices, minor units. */
  readonly fromMinor: number;
  readonly toMinor: number;
  /** Units of a line: 1 to this. */
  readonly maxUnits: number;
}

const CATEGORIES: readonly Category[] = [
  { name: 'hardware', fromMinor: 15_000, toMinor: 250_000, maxUnits: 3 },
  { name: 'software', fromMinor: 5_000, toMinor: 120_000, maxUnits: 1 },
  { name: 'services', fromMinor: 30_000, toMinor: 400_000, maxUnits: 1 },
  { name: 'accessories', fromMinor: 1_500, toMinor: 15_000, maxUnits: 4 },
  { name: 'supplies', fromMinor: 500, toMinor: 5_000, maxUnits: 10 },
  { name: 'training', fromMinor: 20_000, toMinor: 150_000, maxUnits: 2 },
];

interface Price {
  readonly effectiveFrom: string;
  readonly listPriceMinor: number;
  readonly unitCostMinor: number;
}

const skuOf = (p: number) => `SKU-${pad(p, 5)}`;
const categoryOf = (p: number) => CATEGORIES[p % CATEGORIES.length];

/** Product p's prices in force, oldest first: the listing's, then each change's (what its commands say and sales look up). */
function pricesOf(p: number): Price[] {
  const random = randoms(SALT.product, p);
  const category = categoryOf(p);
  // Prices ending in 99 (at least 99), costs 35-70 % of them.
  const list = Math.max(1, Math.round(between(random, category.fromMinor, category.toMinor) / 100)) * 100 - 1;
  const prices: Price[] = [{ effectiveFrom: '2022-12-01', listPriceMinor: list, unitCostMinor: Math.round(list * (0.35 + 0.35 * random())) }];
  const latest = () => prices[prices.length - 1];
  if (p % 3 === 0) prices.push({ ...latest(), effectiveFrom: '2023-07-01', listPriceMinor: Math.round(latest().listPriceMinor * 1.08) });
  if (p % 4 === 0) prices.push({ ...latest(), effectiveFrom: '2024-01-01', unitCostMinor: latest().unitCostMinor + Math.max(1, Math.round(latest().unitCostMinor * 0.06)) });
  if (p % 6 === 0) prices.push({ ...latest(), effectiveFrom: '2024-06-01', listPriceMinor: Math.round(latest().listPriceMinor * 0.9) });
  return prices;
}

const CATALOG = Array.from({ length: PRODUCTS }, (_, p) => pricesOf(p));

/** Product p's list price on a day (YYYY-MM-DD), as the catalog has it. */
function listPriceOn(p: number, date: string): number {
  let price = CATALOG[p][0];
  for (const next of CATALOG[p]) if (next.effectiveFrom <= date) price = next;
  return price.listPriceMinor;
}

function productCommands(p: number): ProductCommand[] {
  const sku = skuOf(p);
  const [listing, ...changes] = CATALOG[p];
  const changed = (before: number, after: number) => (after === before ? undefined : after);
  return [
    {
      type: 'ListProduct',
      sku,
      name: `${categoryOf(p).name} item ${p}`,
      category: categoryOf(p).name,
      currency: CURRENCY,
      listPriceMinor: listing.listPriceMinor,
      unitCostMinor: listing.unitCostMinor,
      effectiveFrom: listing.effectiveFrom,
      listedAt: '2022-11-20T09:00:00.000Z',
    },
    ...changes.map((price, k): ProductCommand => {
      const before = k === 0 ? listing : changes[k - 1];
      return {
        type: 'ChangeProductPrice',
        sku,
        listPriceMinor: changed(before.listPriceMinor, price.listPriceMinor),
        unitCostMinor: changed(before.unitCostMinor, price.unitCostMinor),
        effectiveFrom: price.effectiveFrom,
        // Decided ten days ahead: a price never changes the past.
        changedAt: iso(Date.parse(price.effectiveFrom) - 10 * DAY + 9 * HOUR),
      };
    }),
  ];
}

// ---- campaigns -----------------------------------------------------------------------------

const CHANNELS = ['search', 'social', 'display', 'email', 'affiliate'] as const satisfies readonly CampaignChannel[];

interface Campaign {
  readonly id: string;
  readonly channel: (typeof CHANNELS)[number];
  /** Days of the span (negative: before it). */
  readonly startDay: number;
  readonly endDay: number;
  /** The day it was ended early, if it was. */
  readonly endedDay: number | undefined;
  readonly budgetMinor: number;
  /** Each ad or site with the day from which it runs. */
  readonly ads: readonly { readonly adId: string; readonly fromDay: number }[];
  readonly sites: readonly { readonly siteId: string; readonly fromDay: number }[];
}

const siteIdOf = (s: number) => `aff-${pad(s, 3)}`;

function campaignOf(c: number): Campaign {
  const random = randoms(SALT.campaign, c);
  const id = `cmp-${pad(c, 4)}`;
  const channel = CHANNELS[c % CHANNELS.length];
  // Evenly spread starts: with the default 48, about four campaigns run on any day.
  const startDay = Math.floor(((c + 0.5) * SPAN_DAYS) / CAMPAIGNS) - 20 + between(random, 0, 10);
  const endDay = startDay + between(random, 40, 90);
  const launched = startDay - 7;
  const ads =
    channel === 'email' || channel === 'affiliate'
      ? []
      : [...Array.from({ length: 2 + (c % 3) }, (_, k) => ({ adId: `${id}-ad${k + 1}`, fromDay: launched })), ...(c % 3 === 0 ? [{ adId: `${id}-ad9`, fromDay: startDay + 10 }] : [])];
  const sites =
    channel === 'affiliate'
      ? [
          ...Array.from({ length: 2 + (c % 3) }, (_, k) => ({ siteId: siteIdOf((c * 7 + k * 11) % AFFILIATE_SITES), fromDay: launched })),
          ...(c % 2 === 0 ? [{ siteId: siteIdOf((c * 7 + 44) % AFFILIATE_SITES), fromDay: startDay + 5 }] : []),
        ]
      : [];
  return {
    id,
    channel,
    startDay,
    endDay,
    endedDay: c % 4 === 3 ? startDay + Math.floor((endDay - startDay) * 0.6) : undefined,
    budgetMinor: between(random, 50, 500) * 10_000,
    ads,
    sites,
  };
}

const CAMPAIGN_PLANS = Array.from({ length: CAMPAIGNS }, (_, c) => campaignOf(c));
const dayAt = (day: number, hour: number) => iso(SPAN_START + day * DAY + hour * HOUR);

function campaignCommands(campaign: Campaign): CampaignCommand[] {
  const { id: campaignId, startDay } = campaign;
  /** Ads and sites running before the start are in the launch; the others are added on their day. */
  const atLaunch = (fromDay: number) => fromDay < startDay;
  const site = (siteId: string) => ({ affiliateSiteId: siteId, name: `Partner ${siteId}`, url: `https://${siteId}.example.net/` });
  return [
    {
      type: 'LaunchCampaign',
      campaignId,
      name: `${campaign.channel} ${dateOf(SPAN_START + startDay * DAY).slice(0, 7)} (${campaignId})`,
      channel: campaign.channel,
      startsOn: dateOf(SPAN_START + startDay * DAY),
      endsOn: dateOf(SPAN_START + campaign.endDay * DAY),
      budgetMinor: campaign.budgetMinor,
      currency: CURRENCY,
      ads: campaign.ads.filter((ad) => atLaunch(ad.fromDay)).map((ad) => ({ adId: ad.adId, name: `Ad ${ad.adId}`, url: `https://shop.example.com/${ad.adId}` })),
      affiliates: campaign.sites.filter((s) => atLaunch(s.fromDay)).map((s) => site(s.siteId)),
      launchedAt: dayAt(startDay - 7, 9),
    },
    ...campaign.ads.filter((ad) => !atLaunch(ad.fromDay)).map((ad): CampaignCommand => ({ type: 'AddAd', campaignId, adId: ad.adId, name: `Ad ${ad.adId}`, addedAt: dayAt(ad.fromDay, 9) })),
    ...campaign.sites.filter((s) => !atLaunch(s.fromDay)).map((s): CampaignCommand => ({ type: 'AddAffiliate', campaignId, ...site(s.siteId), addedAt: dayAt(s.fromDay, 9) })),
    ...(campaign.endedDay === undefined ? [] : [{ type: 'EndCampaign', campaignId, endedOn: dateOf(SPAN_START + campaign.endedDay * DAY), reason: 'under target', endedAt: dayAt(campaign.endedDay, 17) } satisfies CampaignCommand]),
  ];
}

// ---- what a click, touch or registration names ---------------------------------------------

interface Ref {
  readonly kind: ClickKind;
  readonly campaignId?: string;
  readonly adId?: string;
  readonly affiliateSiteId?: string;
}

const runningOn = (day: number) => CAMPAIGN_PLANS.filter((campaign) => campaign.startDay <= day && day <= (campaign.endedDay ?? campaign.endDay));

/**
 * What a click on `day` names: an ad, affiliate link or newsletter of a campaign running then (the
 * `preferred` one half the time, when it runs), else a newsletter without campaign. One ad click in
 * five names only its ad, and three affiliate clicks in ten only their site, as trackers that lose
 * the campaign parameter do.
 */
function clickOn(random: Random, day: number, preferred: string | undefined): Ref {
  const running = runningOn(day);
  if (running.length === 0 || chance(random, 0.1)) return { kind: 'email_link' };
  const own = running.find((campaign) => campaign.id === preferred);
  const campaign = own !== undefined && chance(random, 0.5) ? own : pick(random, running);
  switch (campaign.channel) {
    case 'affiliate': {
      const affiliateSiteId = pick(random, campaign.sites.filter((site) => site.fromDay <= day)).siteId;
      return chance(random, 0.3) ? { kind: 'affiliate_link', affiliateSiteId } : { kind: 'affiliate_link', campaignId: campaign.id, affiliateSiteId };
    }
    case 'email':
      return { kind: 'email_link', campaignId: campaign.id };
    default: {
      const adId = pick(random, campaign.ads.filter((ad) => ad.fromDay <= day)).adId;
      return chance(random, 0.2) ? { kind: 'ad', adId } : { kind: 'ad', campaignId: campaign.id, adId };
    }
  }
}

/** The ref's source fields, for a visit, form or registration. */
const sourceOf = ({ campaignId, adId, affiliateSiteId }: Ref) => ({ campaignId, adId, affiliateSiteId });
const namesSource = (ref: Ref) => ref.campaignId !== undefined || ref.adId !== undefined || ref.affiliateSiteId !== undefined;
const urlOf = (ref: Ref) => `https://shop.example.com/?via=${ref.adId ?? ref.affiliateSiteId ?? ref.campaignId ?? 'newsletter'}`;
const utmOf = (ref: Ref): Utm | undefined =>
  ref.campaignId === undefined ? undefined : { source: ref.kind === 'ad' ? 'ads' : ref.kind === 'email_link' ? 'newsletter' : 'partner', medium: ref.kind, campaign: ref.campaignId };

// ---- visitors and customers ----------------------------------------------------------------

const customerIdOf = (i: number) => `cu${pad(i, 7)}`;
const visitorIdOf = (i: number) => `vi${pad(i, 7)}`;

/** When customer i registers: any time in the span past its first two weeks, later ones more likely (u^0.75: ~40 % in 2023). */
function registeredAt(i: number): number {
  const u = mix(SALT.registered, i) / 2 ** 32;
  return SPAN_START + VISITOR_DAYS * DAY + Math.floor(u ** 0.75 * (SPAN_END - SPAN_START - VISITOR_DAYS * DAY - HOUR));
}

/** Who visitor i turns out to be: customer i, named by its registration (32 %) or a form after it (8 %), or nobody. */
function identification(i: number): 'registration' | 'form' | 'anonymous' {
  const u = mix(SALT.identified, i) / 2 ** 32;
  return u < 0.32 ? 'registration' : u < 0.4 ? 'form' : 'anonymous';
}

interface Click {
  readonly at: number;
  readonly ref: Ref;
}

/** Visitor i's clicks, oldest first: 1-5 in the two weeks before customer i registers. */
function visitorClicks(i: number): Click[] {
  const random = randoms(SALT.visitor, i);
  const registered = registeredAt(i);
  const first = registered - between(random, 1, VISITOR_DAYS) * DAY;
  const times = Array.from({ length: between(random, 1, 5) }, () => first + Math.floor(random() * (registered - first))).sort((a, b) => a - b);
  return times.map((at) => ({ at, ref: clickOn(random, dayOf(at), undefined) }));
}

function visitorCommands(i: number): VisitorCommand[] {
  const visitorId = visitorIdOf(i);
  return visitorClicks(i).map(({ at, ref }, k) => ({ type: 'RecordAnonymousClick', visitorId, clickId: `vc-${k}`, ...ref, url: urlOf(ref), utm: utmOf(ref), occurredAt: iso(at) }));
}

function demographicsOf(random: Random): Demographics {
  const age = random();
  return {
    birthYear: age < 0.6 ? between(random, 1950, 2004) : undefined,
    ageBand: age >= 0.6 && age < 0.8 ? pick(random, AGE_BANDS) : undefined,
    gender: chance(random, 0.85) ? pick(random, GENDERS) : undefined,
    region: chance(random, 0.9) ? pick(random, REGIONS) : undefined,
    industry: chance(random, 0.85) ? pick(random, INDUSTRIES) : undefined,
    companySize: chance(random, 0.7) ? pick(random, COMPANY_SIZES) : undefined,
  };
}

/** Customer i's history, in time order; it stops at the end of the span. */
function customerCommands(i: number): CustomerCommand[] {
  const random = randoms(SALT.customer, i);
  const customerId = customerIdOf(i);
  const identified = identification(i);
  const lastClick = identified === 'anonymous' ? undefined : visitorClicks(i).at(-1)?.ref;
  let at = registeredAt(i);
  // What brought them: the identified visitor's last click, else a running campaign half the time.
  const source = identified === 'registration' ? lastClick : chance(random, 0.5) ? clickOn(random, dayOf(at), undefined) : undefined;
  const brought = source !== undefined && namesSource(source) ? source : undefined;
  const demographics = demographicsOf(random);
  const commands: CustomerCommand[] = [
    {
      type: 'RegisterCustomer',
      customerId,
      stage: chance(random, 0.7) ? 'lead' : 'prospect',
      source: brought === undefined ? pick(random, ['api', 'manual', 'import'] as const) : 'web_form',
      contact: { name: `Customer ${i}`, email: `customer.${i}@example.com` },
      company: chance(random, 0.6) ? { name: `Company ${i % 5_000}` } : undefined,
      demographics,
      visitorId: identified === 'registration' ? visitorIdOf(i) : undefined,
      ...(brought === undefined ? {} : sourceOf(brought)),
      registeredAt: iso(at),
    },
  ];
  /** Moves the clock on by minHours to maxHours; false once past the span (the history ends there). */
  const later = (minHours: number, maxHours: number) => {
    at += between(random, minHours, maxHours) * HOUR + Math.floor(random() * HOUR);
    return at < SPAN_END;
  };
  const k = () => commands.length;
  const touch = (): CustomerCommand => {
    const ref = clickOn(random, dayOf(at), brought?.campaignId);
    const occurredAt = iso(at);
    const u = random();
    if (u < 0.5) return { type: 'RecordClick', customerId, clickId: `cl-${k()}`, ...ref, url: urlOf(ref), utm: utmOf(ref), occurredAt };
    if (u < 0.8) return { type: 'RecordSiteVisit', customerId, visitId: `vs-${k()}`, url: urlOf(ref), pageCount: between(random, 1, 12), durationSeconds: between(random, 10, 900), ...sourceOf(ref), occurredAt };
    return { type: 'RecordFormSubmission', customerId, submissionId: `fs-${k()}`, formId: 'request-a-quote', fields: { interest: 'pricing' }, ...sourceOf(ref), utm: utmOf(ref), occurredAt };
  };
  const touches = (max: number) => {
    for (let n = between(random, 0, max); n > 0 && later(2, 120); n--) commands.push(touch());
  };
  const noise = (): CustomerCommand =>
    chance(random, 0.5)
      ? { type: 'LogCall', customerId, callId: `ca-${k()}`, direction: 'outbound', durationSeconds: between(random, 30, 1_800), outcome: 'interested', repId: `rep-${i % 50}`, occurredAt: iso(at) }
      : { type: 'LogEmail', customerId, emailId: `em-${k()}`, direction: 'inbound', subject: 'Question about the offer', occurredAt: iso(at) };
  const currency = chance(random, 0.05) ? OTHER_CURRENCY : CURRENCY;
  const purchase = (): RecordPurchase => {
    const date = dateOf(at);
    const products = new Set<number>();
    const lineCount = Math.min(PRODUCTS, chance(random, 0.4) ? between(random, 2, 3) : 1);
    // Squared: the first products of the catalog sell most.
    while (products.size < lineCount) products.add(Math.floor(random() ** 2 * PRODUCTS));
    const lines = [...products].map((p): PurchaseLineInput => {
      const list = listPriceOn(p, date);
      const paid = chance(random, 0.7) ? list : Math.round(list * (1 - pick(random, [5, 10, 15, 20, 25]) / 100));
      return {
        productSku: skuOf(p),
        category: chance(random, 0.5) ? categoryOf(p).name : undefined,
        quantity: between(random, 1, categoryOf(p).maxUnits),
        unitPriceMinor: currency === CURRENCY ? paid : Math.round(paid * 0.86),
        currency,
      };
    });
    return { type: 'RecordPurchase', customerId, orderId: `or-${k()}`, lines, purchasedAt: iso(at) };
  };

  if (identified === 'form' && lastClick !== undefined && later(1, 72)) {
    commands.push({ type: 'RecordFormSubmission', customerId, submissionId: `fs-${k()}`, formId: 'newsletter', fields: { topic: 'offers' }, visitorId: visitorIdOf(i), ...sourceOf(lastClick), occurredAt: iso(at) });
  }
  touches(3);
  const purchases = chance(random, 0.65) ? (chance(random, 0.35) ? between(random, 2, 5) : 1) : 0;
  for (let n = 0; n < purchases && (n === 0 ? later(1, 480) : later(240, 2_400)); n++) {
    const order = purchase();
    commands.push(order);
    if (chance(random, 0.1) && later(24, 720)) {
      commands.push({ type: 'RecordRefund', customerId, refundId: `rf-${k()}`, orderId: order.orderId, lines: [{ lineNo: 1, quantity: 1 }], reason: 'damaged', refundedAt: iso(at) });
    }
    if (n === 0 && chance(random, 0.06) && later(24, 720)) {
      // Moved: later sales count in the new region.
      const region = pick(random, REGIONS.filter((r) => r !== demographics.region));
      commands.push({ type: 'UpdateProfile', customerId, demographics: { region }, updatedAt: iso(at) });
    }
    touches(2);
  }
  if (chance(random, 0.6) && later(1, 240)) commands.push(noise());
  if (chance(random, 0.003) && later(24, 720)) commands.push({ type: 'EraseCustomer', customerId, reason: 'erasure request', erasedAt: iso(at) });
  return commands;
}

// ---- the log -------------------------------------------------------------------------------

const productHistory = (p: number): SeedRow[] => {
  const commands = productCommands(p);
  return decidedHistory(productDecider, productStream(skuOf(p)), commands.length, (k) => commands[k]);
};
const campaignHistory = (c: number): SeedRow[] => {
  const commands = campaignCommands(CAMPAIGN_PLANS[c]);
  return decidedHistory(campaignDecider, campaignStream(CAMPAIGN_PLANS[c].id), commands.length, (k) => commands[k]);
};
const visitorHistory = (i: number): SeedRow[] => {
  const commands = visitorCommands(i);
  return decidedHistory(visitorDecider, visitorStream(visitorIdOf(i)), commands.length, (k) => commands[k]);
};
const customerHistory = (i: number): SeedRow[] => {
  const commands = customerCommands(i);
  return decidedHistory(customerDecider, customerStream(customerIdOf(i)), commands.length, (k) => commands[k]);
};

const CATALOG_EVENTS = CATALOG.reduce((sum, prices) => sum + prices.length, 0);
const CAMPAIGN_EVENTS = CAMPAIGN_PLANS.reduce((sum, campaign) => sum + campaignCommands(campaign).length, 0);

interface Population {
  /** Visitors 0 to customers - 1, and as many customers. */
  readonly customers: number;
  readonly identified: number;
  readonly visitorEvents: number;
  readonly customerEvents: number;
}

/** As many visitors and customers as fill `events` beside the catalog and campaigns (one command decides one event); at least one. */
function population(events: number): Population {
  let customers = 0;
  let identified = 0;
  let visitorEvents = 0;
  let customerEvents = 0;
  while (customers === 0 || CATALOG_EVENTS + CAMPAIGN_EVENTS + visitorEvents + customerEvents < events) {
    visitorEvents += visitorCommands(customers).length;
    customerEvents += customerCommands(customers).length;
    if (identification(customers) !== 'anonymous') identified++;
    customers++;
  }
  return { customers, identified, visitorEvents, customerEvents };
}

// ---- measurements --------------------------------------------------------------------------

/** A report as timed: its label, and a run over a range answering its row count. */
type Report = readonly [label: string, run: (range: ReportRange) => Promise<number>];

/** Report range n: within the span, 1 to 366 days long, the same every run. */
function rangeOf(n: number): ReportRange {
  const random = randoms(SALT.range, n);
  const days = between(random, 1, 366);
  const first = between(random, 0, SPAN_DAYS - days);
  return { from: dateOf(SPAN_START + first * DAY), to: dateOf(SPAN_START + (first + days - 1) * DAY), currency: CURRENCY };
}

async function main() {
  const projections: readonly Projection[] = [marketingProjection, salesAnalyticsProjection];
  await runBench('Reports benchmark', projections, async (bench) => {
    const { pool, store, db } = bench;
    const { customers, identified, visitorEvents, customerEvents } = population(EVENTS);
    console.log(
      `~${fmt(EVENTS)} events dated ${dateOf(SPAN_START)} to ${dateOf(SPAN_END - DAY)}: ${fmt(PRODUCTS)} products, ${fmt(CAMPAIGNS)} campaigns, ` +
        `${fmt(customers)} visitors (${fmt(identified)} identified), ${fmt(customers)} customers; ` +
        `runner batch size ${BATCH_SIZE}, catch-up ${CATCHUP}, ${SEED_WRITERS} seed writers`,
    );

    const seedSeconds = await seedLog(pool, [
      { count: PRODUCTS, eventsEach: CATALOG_EVENTS / PRODUCTS, history: productHistory },
      { count: CAMPAIGNS, eventsEach: CAMPAIGN_EVENTS / CAMPAIGNS, history: campaignHistory },
      { count: customers, eventsEach: visitorEvents / customers, history: visitorHistory },
      { count: customers, eventsEach: customerEvents / customers, history: customerHistory },
    ]);
    const log = await logStats(pool);
    console.log(`seeded ${fmt(log.events)} events (${log.size}) in ${fmt(seedSeconds, 1)} s = ${fmt(log.events / seedSeconds)} ev/s (bulk INSERT, personal fields in plaintext)`);
    console.log(`  ${[...log.byType].map(([type, count]) => `${type} ${fmt(count)}`).join(', ')}`);

    const baseline = await baselineInsert(pool);
    console.log(`baseline INSERT ... SELECT of ${fmt(baseline.rows)} rows: ${fmt(baseline.seconds, 1)} s`);
    const head = await store.headPosition();
    if (head === null) throw new Error('the seeded log is empty');
    const caught = await catchUp(bench, head);
    for (const result of caught) console.log(`${result.name} caught up: ${fmt(result.applied)} events in ${fmt(result.seconds, 1)} s`);

    // That the seeded log exercised what the reports read: clicks, identified visitors, list prices, discounts.
    const marketingSchema = schemaOf(marketingProjection);
    const salesSchema = schemaOf(salesAnalyticsProjection);
    const { rows: work } = await pool.query<Record<'clicks' | 'touches' | 'entries' | 'identified' | 'lines' | 'listed' | 'discounted' | 'days', string>>(
      `select (select count(*) from ${marketingSchema}.prospect_clicks)::text as clicks,
              (select count(*) from ${marketingSchema}.touches)::text as touches,
              (select count(*) from ${marketingSchema}.revenue_entries)::text as entries,
              (select count(*) from ${marketingSchema}.visitors where customer_id is not null)::text as identified,
              count(*)::text as lines,
              count(*) filter (where list_price_minor is not null)::text as listed,
              count(*) filter (where unit_price_minor < list_price_minor)::text as discounted,
              (select count(*) from ${salesSchema}.product_sales)::text as days
       from ${salesSchema}.sale_lines`,
    );
    const w = work[0];
    console.log(
      `${marketingProjection.name}: ${fmt(Number(w.clicks))} click rows (per day and prospect), ${fmt(Number(w.touches))} touches, ` +
        `${fmt(Number(w.entries))} purchases and refunds, ${fmt(Number(w.identified))} visitors identified`,
    );
    console.log(
      `${salesAnalyticsProjection.name}: ${fmt(Number(w.lines))} sale lines, ${fmt(Number(w.listed))} with a list price, ${fmt(Number(w.discounted))} below it; ` +
        `${fmt(Number(w.days))} product-price-day rows`,
    );

    await analyzeReadModels(pool, projections);
    const marketing = new MarketingQueries(db, marketingSchema);
    const sales = new SalesAnalyticsQueries(db, salesSchema);
    const reports: Report[] = [
      ['campaigns (each with its ads)', async (range) => (await marketing.campaigns(range)).items.length],
      ['affiliates', async (range) => (await marketing.affiliates(range)).items.length],
      ...MODELS.map((model): Report => [
        `attribution (${model}, ${LOOKBACK_DAYS}-day lookback)`,
        async (range) => (await marketing.attribution({ ...range, model, lookbackDays: LOOKBACK_DAYS })).items.length,
      ]),
      ['demographics (rows of the five dimensions)', async (range) => Object.values((await sales.demographics(range)).dimensions).reduce((sum, rows) => sum + rows.length, 0)],
      [`products (price points of ${PRICE_BUCKET_MINOR})`, async (range) => (await sales.products({ ...range, priceBucketMinor: PRICE_BUCKET_MINOR })).items.length],
      ...INTERVALS.map((interval): Report => [
        `purchase trends (${interval})`,
        async (range) => (await sales.purchaseTrends({ ...range, interval })).items.length,
      ]),
      ...SEGMENTS.map((segment): Report => [
        `profitability (${segment}, top ${TOP})`,
        async (range) => (await sales.profitability({ ...range, segment, top: TOP })).items.length,
      ]),
    ];
    const queries: QueryResult[] = [];
    for (const [label, run] of reports) queries.push(await timeQueries(label, QUERIES, WARMUP, (n) => run(rangeOf(n))));

    printCatchUp(baseline, caught);
    printQueries(`report latency (${QUERIES} ranges of 1-366 days each, sequential)`, queries);
    console.log('');
    console.log(`seeding (not part of the ratio): ${fmt(seedSeconds, 1)} s, including vacuum analyze of the log`);
  });
}

await main();
