import { randomInt, randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type { LoggerService } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Test } from 'supertest';
import { customerStream } from '#customers/domain';
import { serializePosition } from '#event-store';
import { FOLLOW_UP_QUEUE, REPURCHASE_QUEUE } from '#follow-ups';
import { queuePrefix } from '#providers';
import { UNFINISHED_STATUSES, WEBHOOK_QUEUE } from '#webhooks';
import { until, wholeLog } from '#testing';
import { expectProjectionsCaughtUp, type TestApi } from './support/api.js';
import { JobsApp } from './support/jobs.js';
import {
  bodySchemaOf,
  fetchOpenApi,
  flattenSchema,
  hasStringFields,
  isCommand,
  operationsOf,
  routeName,
  type OpenApiDocument,
  type Operation,
  type Schema,
} from './support/openapi.js';
import { Receiver, WEBHOOK_TEST_ENV } from './webhooks/support.js';

/**
 * The proof that erasing a customer leaves nothing readable of them, anywhere the product keeps
 * anything.
 *
 * The whole product runs (api, projections, the worker's schedulers and job processors, the
 * webhook dispatcher) on a fresh PostgreSQL database and the real Redis, its log captured. Every
 * command route of the OpenAPI document whose body holds a string is sent for one customer with
 * each free-text field carrying a marker of its own (e-mail addresses, URLs and phone numbers
 * shaped so they validate; enums, ids, dates and currencies valid values, the ids of what the
 * commands refer to created first). Their tasks on a rep, a public lead-capture submission (form-
 * encoded and JSON) for their address, idempotent retries and a webhook receiver getting their
 * events (delivered before the erasure) come along. Then an admin erases them, the test waits for
 * every projection, scheduler, job and delivery to have dealt with it, and dumps every table of
 * every schema, every Redis key of the app's queues and the log: no marker may be left.
 *
 * A route added to the document later is covered as it is (under /customers, a rep's tasks, a
 * visitor, a form's submissions), or it fails the test until it is exercised or excluded below.
 */

// ---- which routes ---------------------------------------------------------------------------------

/**
 * Command routes with string fields that cannot concern a customer, and why. Some are still sent,
 * without markers, to create what the customer's commands refer to (reps, products, a campaign, a
 * form, the webhook subscription).
 */
const EXCLUDED: Readonly<Record<string, string>> = {
  'POST /api-keys': 'API keys: the name of a calling service, never of a person',
  'POST /reps': "a sales rep's own profile (the rep is staff, not the customer); reps are onboarded as prerequisites",
  'POST /reps/{id}/deactivate': "the end of a rep's employment: about the rep, not a customer",
  'POST /reps/{id}/commission-plans': 'commission rates per product category: no person in it',
  'POST /reps/{id}/goals': "a rep's targets per period: no person in it",
  'POST /products': 'the catalogue (sku, name, category, prices); listed as a prerequisite of purchases',
  'PATCH /products/{sku}': 'catalogue prices',
  'POST /products/{sku}/retire': 'retiring a catalogue product',
  'POST /campaigns': 'a marketing campaign, its ads and affiliate sites; launched as a prerequisite of clicks and attribution',
  'POST /campaigns/{id}/ads': 'an ad of a campaign',
  'POST /campaigns/{id}/affiliates': 'an affiliate site of a campaign',
  'POST /campaigns/{id}/end': 'ending a campaign',
  'POST /forms': "a lead-capture form's definition (its name, field names, ids); created as a prerequisite of the submissions",
  'POST /webhooks': "a subscription (the receiver's URL, event types, an admin's description); created to receive the customer's events",
};

/** Exercised by the erasure itself (its reason carries a marker), after everything else. */
const ERASE = 'POST /customers/{id}/erase';

type Scope = 'register' | 'customer' | 'ticket' | 'rep-task' | 'visitor' | 'public-form';

/** How the test reaches the customer through a route; `undefined`: it does not know the route. */
function scopeOf(op: Operation): Scope | undefined {
  if (op.path === '/customers') return 'register';
  if (op.path.startsWith('/customers/{id}')) return 'customer';
  if (op.path === '/tickets' || op.path.startsWith('/tickets/{ticketId}')) return 'ticket';
  if (op.path.startsWith('/reps/{id}/tasks')) return 'rep-task';
  if (op.path.startsWith('/visitors/{visitorId}')) return 'visitor';
  if (op.path === '/forms/{formKey}/submissions') return 'public-form';
  return undefined;
}

const SCOPE_ORDER: readonly Scope[] = ['register', 'customer', 'ticket', 'rep-task', 'visitor', 'public-form'];

// ---- markers --------------------------------------------------------------------------------------

/** Where a marker was planted: the route, the field, and which use of the route. */
interface Origin {
  readonly route: string;
  readonly field: string;
}

/**
 * Unique markers, each remembered with where it was planted. A marker's needle (what the scan looks
 * for, case-insensitively) is `pdmark-<nnn>-<run>`; the value sent may carry a readable tail.
 */
class Markers {
  readonly run = randomUUID().slice(0, 6);
  private seq = 0;
  readonly origins = new Map<string, Origin[]>();

  private next(origin: Origin): string {
    const needle = `pdmark-${String(++this.seq).padStart(3, '0')}-${this.run}`;
    this.origins.set(needle, [origin]);
    return needle;
  }

  /** Free text: the needle, then as much of the route and field as `maxLength` leaves room for. */
  text(origin: Origin, maxLength = 200): string {
    const needle = this.next(origin);
    const tail = `-${origin.route}-${origin.field}`.replace(/[^A-Za-z0-9]+/g, '-');
    return (needle.toUpperCase() + tail).slice(0, Math.max(needle.length, maxLength));
  }

  email(origin: Origin): string {
    return `${this.next(origin)}@example.com`;
  }

  url(origin: Origin): string {
    return `https://example.com/${this.next(origin)}?ref=${this.next({ ...origin, field: `${origin.field} (query)` })}`;
  }

  /** A phone number: only digits survive normalisation, so the needle is ten of them that nothing else holds. */
  phone(origin: Origin): string {
    let digits: string;
    do digits = `8${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
    while (this.origins.has(digits));
    this.origins.set(digits, [origin]);
    return `+1 555 ${digits}`;
  }

  /** The same value planted again elsewhere (the customer's address in a form submission). */
  reuse(value: string, origin: Origin): string {
    for (const [needle, origins] of this.origins) if (value.toLowerCase().includes(needle)) origins.push(origin);
    return value;
  }

  get needles(): string[] {
    return [...this.origins.keys()];
  }

  describe(needle: string): string {
    return (this.origins.get(needle) ?? []).map((origin) => `${origin.route} ${origin.field}`).join(' | ');
  }
}

// ---- captured log ---------------------------------------------------------------------------------

/** Everything the app's Nest logger and console print while it runs, kept for the scan. */
class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  private restore: (() => void) | undefined;

  private write(level: string, message: unknown, params: unknown[]): void {
    this.lines.push(`${level} ${format(message, ...params.map((param) => (param instanceof Error ? param.stack : param)))}`);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Also takes over `console` and the process's stdout and stderr (what a library prints itself). */
  captureConsole(): void {
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
    const saved = methods.map((method) => console[method]);
    for (const method of methods) console[method] = (...args: unknown[]) => this.write(`console.${method}`, args[0], args.slice(1));
    const [stdout, stderr] = [process.stdout.write, process.stderr.write];
    const tap =
      (stream: string, original: typeof process.stdout.write) =>
      (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        this.lines.push(`${stream} ${typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')}`);
        return (original as (...args: unknown[]) => boolean).call(stream === 'stdout' ? process.stdout : process.stderr, chunk, ...rest);
      };
    process.stdout.write = tap('stdout', stdout) as typeof process.stdout.write;
    process.stderr.write = tap('stderr', stderr) as typeof process.stderr.write;
    this.restore = () => {
      methods.forEach((method, i) => (console[method] = saved[i] as never));
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    };
  }

  releaseConsole(): void {
    this.restore?.();
    this.restore = undefined;
  }
}

// ---- the scan -------------------------------------------------------------------------------------

interface Finding {
  readonly needle: string;
  readonly where: string;
  readonly excerpt: string;
}

/** Bytes shown as hex (bytea, `\x...`), decoded, so text inside them is found too. */
function withDecodedHex(text: string): string {
  const decoded = [...text.matchAll(/\\x((?:[0-9a-f]{2})+)/gi)].map((match) => Buffer.from(match[1], 'hex').toString('latin1'));
  return decoded.length === 0 ? text : `${text}\n${decoded.join('\n')}`;
}

function findIn(where: string, text: string, needles: readonly string[], findings: Finding[]): void {
  const haystack = withDecodedHex(text).toLowerCase();
  for (const needle of needles) {
    const at = haystack.indexOf(needle);
    if (at >= 0) findings.push({ needle, where, excerpt: haystack.slice(Math.max(0, at - 60), at + needle.length + 60).replace(/\s+/g, ' ') });
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every row of every table and view of every schema but PostgreSQL's own, and the large objects. */
async function scanDatabase(app: JobsApp, needles: readonly string[]): Promise<{ findings: Finding[]; tables: number; rows: number }> {
  const findings: Finding[] = [];
  let rowCount = 0;
  const { rows: relations } = await app.pool.query<{ schema: string; name: string }>(
    `select table_schema as schema, table_name as name from information_schema.tables
      where table_schema not in ('pg_catalog', 'information_schema') and table_schema not like 'pg\\_toast%' and table_schema not like 'pg\\_temp%'
     union select schemaname, matviewname from pg_matviews
     order by 1, 2`,
  );
  for (const { schema, name } of relations) {
    const relation = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    const { rows } = await app.pool.query<{ row: string }>(`select t::text as row from ${relation} t`);
    rowCount += rows.length;
    const tableFindings: Finding[] = [];
    findIn(`${schema}.${name}`, rows.map((r) => r.row).join('\n'), needles, tableFindings);
    if (tableFindings.length === 0) continue;
    // Which columns: each one on its own, for a finding one can act on.
    const { rows: columns } = await app.pool.query<{ column: string }>(
      `select column_name as column from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position`,
      [schema, name],
    );
    const found = new Set<string>();
    for (const { column } of columns) {
      const { rows: values } = await app.pool.query<{ value: string | null }>(`select ${quoteIdent(column)}::text as value from ${relation}`);
      const columnFindings: Finding[] = [];
      findIn(`db ${schema}.${name}.${column}`, values.map((v) => v.value ?? '').join('\n'), tableFindings.map((f) => f.needle), columnFindings);
      for (const finding of columnFindings) found.add(finding.needle);
      findings.push(...columnFindings);
    }
    for (const finding of tableFindings) if (!found.has(finding.needle)) findings.push({ ...finding, where: `db ${finding.where} (row)` });
  }
  const { rows: largeObjects } = await app.pool.query<{ data: string }>(`select loid::text || ':' || encode(data, 'hex') as data from pg_largeobject`).catch(() => ({ rows: [] }));
  findIn('db pg_largeobject', largeObjects.map((r) => r.data.replace(/^(\d+):/, '$1:\\x')).join('\n'), needles, findings);
  return { findings, tables: relations.length, rows: rowCount };
}

/** Every key of the app's queues (its prefix) and of anything else naming its database, with its value of whatever type. */
async function scanRedis(databaseUrl: string, needles: readonly string[]): Promise<{ findings: Finding[]; keys: number }> {
  const redis = new Redis({ lazyConnect: true });
  await redis.connect();
  const findings: Finding[] = [];
  const database = new URL(databaseUrl).pathname.slice(1);
  const keys = new Set<string>();
  for (const pattern of [`${queuePrefix(databaseUrl)}*`, `*${database}*`]) {
    for (let cursor = '0'; ; ) {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      for (const key of batch) keys.add(key);
      if ((cursor = next) === '0') break;
    }
  }
  const text = (values: Buffer[]) => values.map((value) => value.toString('latin1')).join('\n');
  try {
    for (const key of keys) {
      let value: string;
      switch (await redis.type(key)) {
        case 'string':
          value = (await redis.getBuffer(key))?.toString('latin1') ?? '';
          break;
        case 'hash':
          value = Object.entries(await redis.hgetallBuffer(key))
            .map(([field, v]) => `${field}=${v.toString('latin1')}`)
            .join('\n');
          break;
        case 'list':
          value = text(await redis.lrangeBuffer(key, 0, -1));
          break;
        case 'set':
          value = text(await redis.smembersBuffer(key));
          break;
        case 'zset':
          value = (await redis.call('ZRANGE', key, '0', '-1', 'WITHSCORES') as string[]).join('\n');
          break;
        case 'stream':
          value = JSON.stringify(await redis.xrange(key, '-', '+'));
          break;
        default:
          value = '';
      }
      findIn(`redis ${key}`, `${key}\n${value}`, needles, findings);
    }
  } finally {
    await redis.quit();
  }
  return { findings, keys: keys.size };
}

/**
 * The findings as one report: first each place with the route fields whose markers it still holds,
 * then per marker where it was planted and every place it was found (with an excerpt).
 */
function report(findings: readonly Finding[], markers: Markers, scanned: string, notes: readonly string[]): string {
  const byNeedle = new Map<string, Finding[]>();
  const byPlace = new Map<string, Set<string>>();
  for (const finding of [...findings].sort((a, b) => a.needle.localeCompare(b.needle))) {
    byNeedle.set(finding.needle, [...(byNeedle.get(finding.needle) ?? []), finding]);
    byPlace.set(finding.where, (byPlace.get(finding.where) ?? new Set()).add(markers.describe(finding.needle)));
  }
  const lines = [`${byNeedle.size} of ${markers.needles.length} markers still readable after the erasure, in ${byPlace.size} places (${scanned}):`, '', 'By place:'];
  for (const [where, origins] of [...byPlace].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${where}`, ...[...origins].map((origin) => `      ${origin}`));
  lines.push('', 'By marker:');
  for (const [needle, found] of byNeedle) {
    lines.push(`- ${needle}  from ${markers.describe(needle)}`);
    for (const finding of found) lines.push(`    in ${finding.where}: ...${finding.excerpt}...`);
  }
  if (notes.length > 0) lines.push('', 'Not covered this run:', ...notes.map((note) => `  ${note}`));
  return lines.join('\n');
}

// ---- the test -------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
/** The end of the customer's contract: years ahead, the schedulers' clock is moved next to it. */
const CONTRACT_END = new Date(Date.parse('2031-03-01') + randomInt(0, 1000) * DAY_MS).toISOString().slice(0, 10);
const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$';

describe('erasing a customer leaves no plaintext of them anywhere', () => {
  const log = new CapturedLog();
  // A lead or margin "day" lasts a second of test time (see JobsApp): the follow-up and the
  // repurchase reminder of the customer fall due within seconds, before the erasure.
  const app = new JobsApp({ leadDays: 3, teamLeadDays: {}, repurchaseMarginDays: 1 }, { env: { ...WEBHOOK_TEST_ENV, LOG_LEVEL: 'verbose' }, logger: log });
  const markers = new Markers();
  const run = markers.run;
  let api: TestApi;
  let document: OpenApiDocument;
  let receiver: Receiver;
  let webhookId: string;

  /** The ids every marker-free reference points at: created first through the API. */
  const ids = {
    customerId: `pd-cust-${run}`,
    repA: `pd-rep-a-${run}`,
    repB: `pd-rep-b-${run}`,
    sku: `PD-SKU-${run}`,
    campaignId: `pd-campaign-${run}`,
    adId: `pd-ad-${run}`,
    affiliateSiteId: `pd-site-${run}`,
    visitorId: `pd-visitor-${run}`,
    formId: '',
    formKey: '',
    contracts: [`pd-contract-1-${run}`, `pd-contract-2-${run}`],
    orders: [`pd-order-1-${run}`, `pd-order-2-${run}`],
    tasks: [`pd-task-1-${run}`, `pd-task-2-${run}`],
    ticketId: `pd-ticket-${run}`,
  };
  /** The customer's address once the profile update changed it: what the lead-capture form is sent. */
  let currentEmail = '';

  const exercised = new Map<string, number>();
  const refused: string[] = [];
  const notes: string[] = [];
  let erasurePosition = '';
  let scanBeforeErasure = 0;

  const as = (role: 'service' | 'admin' | 'analyst' | 'auditor') => ({ Authorization: `Bearer ${api.keys[role]}` });

  beforeAll(async () => {
    log.captureConsole();
    receiver = await Receiver.start();
    await app.start();
    api = app.api;
    document = await fetchOpenApi(api);
  });

  afterAll(async () => {
    log.releaseConsole();
    await app.close();
    await receiver?.close();
  });

  /** The command routes (POST, PATCH, PUT) whose body, JSON or form-encoded, holds a string anywhere. */
  const commandsWithText = (): Operation[] =>
    operationsOf(document).filter(
      (op) => isCommand(op) && (hasStringFields(document, bodySchemaOf(op)) || hasStringFields(document, bodySchemaOf(op, 'application/x-www-form-urlencoded'))),
    );

  // ---- bodies ----

  /** An id field's value: what it must reference, or a fresh id. */
  function idFor(field: string, route: string): string {
    switch (field) {
      case 'customerId':
        return ids.customerId;
      case 'repId':
      case 'ownerRepId':
      case 'authorRepId':
        return route.includes('/owner') ? ids.repB : ids.repA;
      case 'toRepId':
        return ids.repA;
      case 'campaignId':
        return ids.campaignId;
      case 'adId':
        return ids.adId;
      case 'affiliateSiteId':
        return ids.affiliateSiteId;
      case 'productSku':
        return ids.sku;
      case 'visitorId':
        return ids.visitorId;
      case 'formId':
        return ids.formId;
      case 'contractId':
        return ids.contracts[0];
      default:
        return `pd-${field.replace(/[^A-Za-z0-9]/g, '')}-${randomUUID().slice(0, 8)}`;
    }
  }

  /** Valid values where a route needs a particular one (dates in order, an enum a rule asks for...), by field path. */
  function overridesFor(route: string, use: number): Readonly<Record<string, unknown>> {
    switch (route) {
      case 'POST /customers':
        return { customerId: ids.customerId, stage: 'prospect', source: 'api' };
      case 'POST /customers/{id}/purchases':
        // A line's category repeats the catalogue's for its product (the company's vocabulary, counted by product reports).
        return { orderId: ids.orders[use], purchasedAt: ['2026-10-01T10:00:00Z', '2026-11-01T10:00:00Z'][use] ?? '2026-11-15T10:00:00Z', 'lines[].currency': 'EUR', 'lines[].category': 'furniture' };
      case 'POST /customers/{id}/refunds':
        return { orderId: ids.orders[0], 'lines[].lineNo': 1, 'lines[].quantity': 1, 'lines[].amountMinor': 100, refundedAt: '2026-11-05T10:00:00Z' };
      case 'POST /customers/{id}/contracts':
        return use === 0
          ? { contractId: ids.contracts[0], kind: 'competitor', startsOn: '2026-01-01', endsOn: CONTRACT_END, followUpLeadDays: 3, currency: 'EUR' }
          : { contractId: ids.contracts[1], kind: 'own', startsOn: '2026-01-01', endsOn: '2027-12-31', followUpLeadDays: 30, currency: 'EUR' };
      case 'PATCH /customers/{id}/contracts/{contractId}':
        return { 'changes.startsOn': '2026-01-01', 'changes.endsOn': CONTRACT_END, 'changes.followUpLeadDays': 3, 'changes.currency': 'EUR' };
      case 'POST /customers/{id}/contracts/{contractId}/terminate':
        return { terminatedOn: '2026-06-30' };
      case 'POST /customers/{id}/clicks':
      case 'POST /visitors/{visitorId}/clicks':
        return { kind: 'ad' };
      case 'POST /tickets':
        return { ticketId: ids.ticketId, channel: 'phone', category: 'complaint', priority: 'normal', orderId: ids.orders[0], lineNo: 1 };
      case 'POST /tickets/{ticketId}/assign':
        // A team's name is the company's vocabulary (not personal): the ticket goes to an agent here.
        return { agentRepId: ids.repA, team: undefined };
      case 'POST /reps/{id}/tasks':
        return { taskId: ids.tasks[use], kind: 'follow_up', customerId: ids.customerId, dueOn: '2027-01-15' };
      default:
        return {};
    }
  }

  /** How many times a route is sent (two purchases make a repurchase rhythm; a second contract is terminated...). */
  const usesOf = (route: string): number => (['POST /customers/{id}/purchases', 'POST /customers/{id}/contracts', 'POST /reps/{id}/tasks'].includes(route) ? 2 : 1);

  /** A body for the schema: a marker in every free-text string, valid values everywhere else. */
  function fill(raw: Schema, path: string, route: string, use: number, overrides: Readonly<Record<string, unknown>>): unknown {
    if (path in overrides) return overrides[path];
    const schema = flattenSchema(document, raw);
    const field = path.split('.').pop()?.replace('[]', '') ?? '';
    const origin: Origin = { route: use === 0 ? route : `${route} (#${use + 1})`, field: path || '(body)' };
    if (schema.enum) return schema.enum[0];
    if (schema.properties) {
      return Object.fromEntries(Object.entries(schema.properties).map(([key, property]) => [key, fill(property, path ? `${path}.${key}` : key, route, use, overrides)]));
    }
    if (schema.type === 'object' || schema.additionalProperties) {
      // A map of text (a form's fields): two entries, each value a marker.
      const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : { type: 'string' };
      return Object.fromEntries(['message', 'company'].map((key) => [key, fill(values, `${path}.${key}`, route, use, overrides)]));
    }
    switch (schema.type) {
      case 'array':
        if (!schema.items) return [];
        // Two texts in a list of them (tags), one element of a list of objects (lines).
        return flattenSchema(document, schema.items).type === 'string'
          ? [0, 1].map(() => fill(schema.items as Schema, `${path}[]`, route, use, overrides))
          : [fill(schema.items, `${path}[]`, route, use, overrides)];
      case 'integer':
      case 'number':
        return typeof schema.example === 'number' ? schema.example : (schema.minimum ?? 1);
      case 'boolean':
        return true;
      case 'string':
      default:
        if (schema.format === 'date-time') return '2026-11-20T14:30:00Z';
        if (schema.format === 'date') return '2026-11-20';
        if (schema.pattern === ID_PATTERN) return idFor(field, route);
        if (/email/i.test(field)) return markers.email(origin);
        if (/(url|referrer)$/i.test(field)) return markers.url(origin);
        if (/phone/i.test(field)) return markers.phone(origin);
        if (field === 'currency') return 'EUR';
        if (field === 'contentType') return `application/x-${markers.text(origin, 40).toLowerCase()}`.slice(0, 100);
        return markers.text(origin, schema.maxLength ?? 200);
    }
  }

  /** The route's path with the customer's ids (the rep their tasks are on, the contract, the task). */
  function pathOf(op: Operation, use: number): string {
    const route = routeName(op);
    return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      switch (name) {
        case 'id':
          return op.path.startsWith('/reps') ? ids.repB : ids.customerId;
        case 'contractId':
          return route.endsWith('/terminate') ? ids.contracts[1] : ids.contracts[0];
        case 'taskId':
          return route.endsWith('/reassign') ? ids.tasks[1] : ids.tasks[0];
        case 'ticketId':
          return ids.ticketId;
        case 'visitorId':
          return ids.visitorId;
        case 'formKey':
          return ids.formKey;
        default:
          throw new Error(`${route}: no value for the path parameter {${name}} (use ${use})`);
      }
    });
  }

  /** Sends a command with an Idempotency-Key, then again with the same key: the retry must change nothing. */
  async function sendTwice(label: string, request: () => Test, replayHeader = true): Promise<{ status: number; body: Record<string, unknown> }> {
    const first = await request();
    if (first.status >= 300) {
      refused.push(`${label}: ${first.status} ${JSON.stringify(first.body).slice(0, 500)}`);
      return first;
    }
    const retry = await request();
    if (retry.status !== first.status || (replayHeader && retry.headers['idempotent-replayed'] !== 'true')) {
      refused.push(`${label}: the idempotent retry answered ${retry.status} (replayed: ${retry.headers['idempotent-replayed']}) ${JSON.stringify(retry.body).slice(0, 300)}`);
    }
    return first;
  }

  /** One use of a JSON command route for the customer. */
  async function sendRoute(op: Operation, use: number): Promise<{ status: number; body: Record<string, unknown> }> {
    const route = routeName(op);
    const schema = bodySchemaOf(op) as Schema;
    const body = fill(schema, '', route, use, overridesFor(route, use));
    const key = `pd-${run}-${route}-${use}`.replace(/[^A-Za-z0-9-]/g, '_');
    const path = pathOf(op, use);
    const response = await sendTwice(`${route}${use ? ` (#${use + 1})` : ''}`, () => {
      const request = api.http[op.method](path).set(as('service')).set('Idempotency-Key', key);
      return request.send(body as object);
    });
    exercised.set(route, (exercised.get(route) ?? 0) + 1);
    return response;
  }

  /** The public lead-capture form, sent the customer's current address with every other field a marker, form-encoded and JSON. */
  async function submitForms(op: Operation, formFields: readonly string[]): Promise<void> {
    const route = routeName(op);
    for (const [use, encoding] of (['form-encoded', 'json'] as const).entries()) {
      const origin = (field: string): Origin => ({ route: `${route} (${encoding})`, field });
      const fields: Record<string, string> = {
        email: markers.reuse(currentEmail, origin('email')),
        name: markers.text(origin('name')),
        phone: markers.phone(origin('phone')),
        company: markers.text(origin('company')),
        message: markers.text(origin('message'), 1000),
        ...Object.fromEntries(formFields.map((field) => [field, markers.text(origin(field))])),
        ...Object.fromEntries(['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'].map((field) => [field, markers.text(origin(field))])),
        campaignId: ids.campaignId,
        adId: ids.adId,
        affiliateSiteId: ids.affiliateSiteId,
        visitorId: ids.visitorId,
      };
      const path = pathOf(op, use);
      const key = `pd-${run}-form-${encoding}`;
      await sendTwice(
        `${route} (${encoding})`,
        () =>
          encoding === 'json'
            ? api.http.post(path).set('Idempotency-Key', key).send(fields)
            : api.http.post(path).set('Idempotency-Key', key).type('form').send(new URLSearchParams(fields).toString()),
        false,
      );
      exercised.set(route, (exercised.get(route) ?? 0) + 1);
    }
  }

  /** Reps, a product, a campaign with an ad and an affiliate site, a form and the webhook subscription: marker-free. */
  async function createPrerequisites(): Promise<string[]> {
    for (const repId of [ids.repA, ids.repB]) {
      await api.http.post('/reps').set(as('service')).send({ repId, name: 'Grace Hopper', email: 'grace@example.com', team: 'Enterprise', region: 'EMEA', startDate: '2026-01-05' }).expect(201);
    }
    await api.http
      .post('/products')
      .set(as('service'))
      .send({ sku: ids.sku, name: 'Standing desk', category: 'furniture', currency: 'EUR', listPriceMinor: 49900, unitCostMinor: 31000, effectiveFrom: '2026-01-01' })
      .expect(201);
    await api.http
      .post('/campaigns')
      .set(as('service'))
      .send({
        campaignId: ids.campaignId,
        name: 'Spring sale',
        channel: 'search',
        startsOn: '2026-01-01',
        endsOn: '2026-12-31',
        budgetMinor: 100000,
        currency: 'EUR',
        ads: [{ adId: ids.adId, name: 'Desks on sale', url: 'https://shop.example.com/desks' }],
        affiliates: [{ affiliateSiteId: ids.affiliateSiteId, name: 'CompareCRM', url: 'https://compare.example.org' }],
      })
      .expect(201);
    const formFields = ['budget'];
    const form = await api.http.post('/forms').set(as('admin')).send({ name: 'Request a quote', fields: formFields }).expect(201);
    ids.formId = form.body.id as string;
    ids.formKey = form.body.key as string;
    const webhook = await api.http.post('/webhooks').set(as('admin')).send({ url: receiver.url, eventTypes: ['*'] }).expect(201);
    webhookId = webhook.body.id as string;
    return formFields;
  }

  /** Every log subscriber (projections, schedulers, the dispatcher) has applied `position`. */
  async function allCaughtUp(position: string): Promise<void> {
    const names = (await app.db.selectFrom('projections.active_versions').select('name').execute()).map((row) => row.name);
    try {
      await app.caughtUp(names, position, 30_000);
    } catch (error) {
      const { rows } = await app.pool.query(
        `select a.name, c.position, c.status, c.error from projections.active_versions a
           left join projections.checkpoints c on c.name = a.name and c.version = a.version and c.build = a.build order by 1`,
      );
      throw new Error(`not every log subscriber reached ${position}: ${JSON.stringify(rows)}`, { cause: error });
    }
  }

  /** The position of the newest event in the log. */
  async function logHead(): Promise<string> {
    const events = await wholeLog(app.store);
    return serializePosition(events[events.length - 1].position);
  }

  /** No delivery of the subscription unfinished (once the dispatcher has recorded them all). */
  async function deliveriesSettled(): Promise<{ status: string }[]> {
    return until(
      'every webhook delivery finished',
      async () => {
        const { body } = await api.http.get(`/webhooks/${webhookId}/deliveries?limit=500`).set(as('admin')).expect(200);
        const items = (body as { items: { status: string }[] }).items;
        return items.length > 0 && items.every((item) => !(UNFINISHED_STATUSES as readonly string[]).includes(item.status)) && items;
      },
      30_000,
    );
  }

  /** The follow-up, repurchase and webhook queues have nothing waiting or running. */
  async function queuesIdle(): Promise<void> {
    await until(
      'the queues idle',
      async () => {
        for (const name of [FOLLOW_UP_QUEUE, REPURCHASE_QUEUE, WEBHOOK_QUEUE]) {
          const counts = await app.queue(name).getJobCounts('active', 'waiting', 'prioritized', 'waiting-children');
          if (Object.values(counts).some((count) => count > 0)) return false;
        }
        return true;
      },
      20_000,
    );
  }

  it('sends every command route of the document that holds text, for one customer, and erases them', async () => {
    const commands = commandsWithText();
    const unclassified = commands.filter((op) => scopeOf(op) === undefined && !(routeName(op) in EXCLUDED) && routeName(op) !== ERASE).map(routeName);
    expect({ unclassified }).toEqual({ unclassified: [] });

    const formFields = await createPrerequisites();
    const toSend = commands
      .filter((op) => scopeOf(op) !== undefined && routeName(op) !== ERASE)
      .sort((a, b) => SCOPE_ORDER.indexOf(scopeOf(a) as Scope) - SCOPE_ORDER.indexOf(scopeOf(b) as Scope));
    let lastPosition = '';
    for (const op of toSend) {
      const route = routeName(op);
      if (scopeOf(op) === 'public-form') {
        // The form finds the customer by their address in the directory: it must have their current one.
        await allCaughtUp(lastPosition);
        await submitForms(op, formFields);
        continue;
      }
      for (let use = 0; use < usesOf(route); use++) {
        // Moves the schedulers' clock to a few seconds before the contract's follow-up falls due.
        if (route === 'POST /customers/{id}/contracts' && use === 0) app.clockAt(CONTRACT_END, 3 + 4);
        const { status, body } = await sendRoute(op, use);
        if (status < 300 && typeof body.position === 'string') lastPosition = body.position;
        if (route === 'PATCH /customers/{id}' && status < 300) {
          const profile = await api.http.get(`/customers/${ids.customerId}`).set(as('analyst')).set('X-Consistent-With', lastPosition).expect(200);
          currentEmail = String(profile.body.email ?? profile.body.contact?.email ?? '');
        }
      }
    }
    expect({ refused }).toEqual({ refused: [] });
    expect(currentEmail).toMatch(/pdmark/);

    // The schedulers' jobs run for the customer: the contract's follow-up and the repurchase reminder.
    for (const type of ['FollowUpDue', 'RepurchaseReminderDue']) {
      await until(type, async () => (await app.store.readStream(customerStream(ids.customerId))).some((event) => event.type === type), 20_000).catch(() =>
        notes.push(`${type} was not recorded before the erasure: its job's traces are not covered`),
      );
    }
    const head = await app.store.readStream(customerStream(ids.customerId));
    // Their jobs appended to the log too (the due follow-up, the owner's tasks): up to its head.
    await allCaughtUp(await logHead());
    await expectProjectionsCaughtUp(api);
    // The receiver got the customer's events before the erasure (its captures are outside the product).
    expect(new Set((await deliveriesSettled()).map((delivery) => delivery.status))).toEqual(new Set(['delivered']));
    expect(receiver.requests.filter((request) => request.event.streamId === customerStream(ids.customerId)).length).toBeGreaterThanOrEqual(head.length);
    await queuesIdle();

    // The scan sees what is there: before the erasure, markers are readable in the read models.
    scanBeforeErasure = new Set((await scanDatabase(app, markers.needles)).findings.map((finding) => finding.needle)).size;

    const reason = markers.text({ route: ERASE, field: 'reason' }, 1000);
    const erased = await api.http.post(`/customers/${ids.customerId}/erase`).set(as('admin')).send({ reason }).expect(200);
    exercised.set(ERASE, 1);
    erasurePosition = erased.body.position as string;

    // Every projection, scheduler and the dispatcher past the erasure; their jobs and deliveries done.
    await allCaughtUp(erasurePosition);
    await expectProjectionsCaughtUp(api);
    await deliveriesSettled();
    await queuesIdle();
    await allCaughtUp(await logHead());
    await expectProjectionsCaughtUp(api);
  }, 120_000);

  it('exercised every command route it does not exclude', () => {
    const missing = commandsWithText().map(routeName).filter((route) => !(route in EXCLUDED) && !exercised.has(route));
    expect({ missing }).toEqual({ missing: [] });
    expect(scanBeforeErasure).toBeGreaterThan(0);
  });

  it('shows the customer as erased', async () => {
    const response = await api.http.get(`/customers/${ids.customerId}`).set(as('analyst')).set('X-Consistent-With', erasurePosition);
    if (response.status !== 404) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ customerId: ids.customerId, erased: true });
    }
    // A command still arriving for them is refused, and what it carried is kept nowhere (the scan below looks for it too).
    const text = markers.text({ route: 'POST /customers/{id}/notes (after the erasure: refused)', field: 'text' });
    const refusedNote = await api.http.post(`/customers/${ids.customerId}/notes`).set(as('service')).set('Idempotency-Key', `pd-${run}-late-note`).send({ text }).expect(422);
    expect(refusedNote.body.reason).toBe('customer_erased');
  });

  it('verifies every read model against the log after the erasure', async () => {
    const { body } = await api.http.get('/projections').set(as('admin')).expect(200);
    const names = [...new Set((body as { projections: { name: string; active: boolean }[] }).projections.filter((p) => p.active).map((p) => p.name))];
    const results: Record<string, unknown> = {};
    let verified = 0;
    for (const name of names) {
      const response = await api.http.post(`/audit/projections/${name}/verify`).set(as('auditor'));
      // Log subscribers that are not read models (the schedulers, the dispatcher) are not verifiable.
      if (response.status === 404) continue;
      verified++;
      results[name] = response.status === 200 ? response.body.differences : `${response.status} ${JSON.stringify(response.body)}`;
    }
    expect(verified).toBeGreaterThanOrEqual(5);
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((name) => [name, []])));
  }, 60_000);

  it('leaves no marker in any table, Redis key or log line', async () => {
    const needles = markers.needles;
    const database = await scanDatabase(app, needles);
    const redis = await scanRedis(api.database.url, needles);
    const logs: Finding[] = [];
    log.lines.forEach((line, i) => findIn(`log line ${i + 1}`, line, needles, logs));
    const findings = [...database.findings, ...redis.findings, ...logs];
    const scanned = `${database.tables} tables and views, ${database.rows} rows; ${redis.keys} Redis keys; ${log.lines.length} log lines`;
    expect(redis.keys).toBeGreaterThan(0);
    expect(log.lines.length).toBeGreaterThan(0);
    if (findings.length > 0) throw new Error(report(findings, markers, scanned, notes));
  }, 60_000);
});
