import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import type { ServerResponse } from 'node:http';
import { ApiProblemResponse, notFoundProblem, ParseIdPipe, ProblemException } from '#http';
import { CUSTOMER_TIMELINE, TimelineQueries, TimelineQueryDto } from '#projections/customer-timeline';
import { PURCHASE_FREQUENCY, PurchaseFrequencyQueries, type PurchaseFrequencyView } from '#projections/purchase-frequency';
import { ConsistencyHeader, ConsistencyQueryDto, CONSISTENT_WITH, ReadModels } from '#read-model-engine';
import { Roles } from '#auth';
import { REPURCHASE_SCHEDULER } from '#follow-ups/domain';
import { CSV_HEADER, csvLine } from './directory.csv.js';
import { CUSTOMER_DIRECTORY } from './directory.projection.js';
import { DirectoryQueries, type DirectoryFilters, type DirectoryOrder } from './directory.queries.js';
import { CustomerFiltersQueryDto, ListCustomersQueryDto } from './query-customers.dto.js';
import { CustomerPageDto, CustomerProfileDto, TimelinePageDto } from './query-results.dto.js';
const DEFAULT_LIMIT = 50;
/** Rows of the export buffered into one write: fewer, larger chunks; memory stays bounded. */
const EXPORT_CHUNK_BYTES = 64 * 1024;

/**
 * The read side of the customer context, for analysts: the directory (search, filters, sorted
 * pages, CSV export), a customer's profile and their timeline. Each route reads the active version
 * of its projections and, given a position (X-Consistent-With or consistentWith), first waits until
 * they have applied it: a client reads its own writes.
 */
@ApiTags('customers')
@Roles('analyst', 'admin')
@Controller('customers')
@ApiProblemResponse(400, 'Invalid or unknown query parameter, cursor or position')
@ApiProblemResponse(503, 'The read model has not reached the requested position in time, or is not built yet')
export class CustomersQueryController {
  constructor(private readonly readModels: ReadModels) {}

  @Get()
  @ConsistencyHeader()
  @ApiOperation({ summary: 'Search and list customers', description: 'Filters combine with AND; pages are keyset pages, stable while customers are added.' })
  @ApiOkResponse({ type: CustomerPageDto })
  async list(@Query() query: ListCustomersQueryDto, @Headers(CONSISTENT_WITH) header?: string): Promise<CustomerPageDto> {
    const directory = await this.directory(query, header);
    return directory.search(filtersOf(query), { ...orderOf(query), limit: query.limit ?? DEFAULT_LIMIT, cursor: query.cursor });
  }

  // Declared before `:id`, which would otherwise take `export.csv` for a customer id.
  @Get('export.csv')
  @ConsistencyHeader()
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: 'Export customers as CSV',
    description:
      'Same filters and sort as the list, every matching customer, streamed. Text cells starting with =, +, -, @, tab or CR get a leading ' +
      "' so spreadsheets do not run them as formulas.",
  })
  @ApiOkResponse({ description: 'RFC 4180 CSV with a header row', content: { 'text/csv': { schema: { type: 'string' } } } })
  async export(@Query() query: CustomerFiltersQueryDto, @Res() response: ServerResponse, @Headers(CONSISTENT_WITH) header?: string): Promise<void> {
    const directory = await this.directory(query, header);
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="customers-${new Date().toISOString().slice(0, 10)}.csv"`);
    response.setHeader('Cache-Control', 'no-store');
    let chunk = CSV_HEADER;
    // A failure after the first write reaches the exception filter, which cuts the response short.
    for await (const profile of directory.exportRows(filtersOf(query), orderOf(query))) {
      chunk += csvLine(profile);
      if (chunk.length < EXPORT_CHUNK_BYTES) continue;
      if (!(await write(response, chunk))) return;
      chunk = '';
    }
    if (await write(response, chunk)) response.end();
  }

  @Get(':id')
  @ConsistencyHeader()
  @ApiOperation({ summary: "A customer's current profile and activity totals" })
  @ApiOkResponse({ type: CustomerProfileDto })
  @ApiProblemResponse(404, 'Unknown customer')
  async get(@Param('id', ParseIdPipe) id: string, @Query() query: ConsistencyQueryDto, @Headers(CONSISTENT_WITH) header?: string): Promise<CustomerProfileDto> {
    const profile = await (await this.directory(query, header)).get(id);
    if (profile === undefined) throw notFound(id);
    return profile;
  }

  @Get(':id/timeline')
  @ConsistencyHeader()
  @ApiOperation({
    summary: "A customer's timeline, newest first",
    description: 'Every event of the customer with a one-line summary. Filter by types (comma-separated) and a time range (from inclusive, to exclusive).',
  })
  @ApiOkResponse({ type: TimelinePageDto })
  async timeline(@Param('id', ParseIdPipe) id: string, @Query() query: TimelineQueryDto, @Headers(CONSISTENT_WITH) header?: string): Promise<TimelinePageDto> {
    const schema = await this.readModels.schema(CUSTOMER_TIMELINE, query, header);
    return new TimelineQueries(this.readModels.db, schema).page(id, {
      types: query.types,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
    });
  }

  @Get(':id/purchase-frequency')
  @ConsistencyHeader()
  @ApiOperation({
    summary: "A customer's purchase rhythm and repurchase reminder",
    description:
      'Orders, purchase days (orders on one UTC day count once), the median interval between purchase days and the day the next purchase is ' +
      'expected on (the last purchase day plus that median; needs two purchase days). status: insufficient_history, expected or overdue ' +
      '(with daysOverdue). reminder.status, for the current expectation: scheduled (with dueAt), due (RepurchaseReminderDue recorded, no task), ' +
      'task_created (the owner has the task) or none.',
  })
  @ApiOkResponse({ description: '{ customerId, orders, purchaseDays, firstPurchaseOn, lastPurchaseOn, medianIntervalDays, expectedNextPurchaseOn, status, daysOverdue, reminder }' })
  @ApiProblemResponse(404, 'Unknown customer')
  async purchaseFrequency(@Param('id', ParseIdPipe) id: string, @Query() query: ConsistencyQueryDto, @Headers(CONSISTENT_WITH) header?: string): Promise<PurchaseFrequencyView> {
    const schema = await this.readModels.schema(PURCHASE_FREQUENCY, query, header);
    const schedulerSchema = await this.readModels.alongside(REPURCHASE_SCHEDULER);
    const queries = new PurchaseFrequencyQueries(this.readModels.db as unknown as Kysely<unknown>, schema, schedulerSchema);
    const view = await queries.get(id, new Date().toISOString().slice(0, 10));
    if (view === undefined) throw notFoundProblem(`customer ${id} is not registered`);
    return view;
  }

  private async directory(query: ConsistencyQueryDto, header: string | undefined): Promise<DirectoryQueries> {
    return new DirectoryQueries(this.readModels.db, await this.readModels.schema(CUSTOMER_DIRECTORY, query, header));
  }
}

function filtersOf(query: CustomerFiltersQueryDto): DirectoryFilters {
  return {
    q: query.q,
    stage: query.stage,
    ownerRepId: query.ownerRepId,
    region: query.region,
    tag: query.tag,
    createdFrom: query.createdFrom === undefined ? undefined : new Date(query.createdFrom),
    createdTo: query.createdTo === undefined ? undefined : new Date(query.createdTo),
  };
}

function orderOf(query: CustomerFiltersQueryDto): DirectoryOrder {
  const sort = query.sort ?? 'createdAt';
  return { sort, order: query.order ?? (sort === 'name' ? 'asc' : 'desc') };
}

/** Writes with backpressure: waits for 'drain' when the socket is full. False when the client went away. */
async function write(response: ServerResponse, chunk: string): Promise<boolean> {
  if (response.destroyed) return false;
  if (chunk === '' || response.write(chunk)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
  return !response.destroyed;
}

function notFound(customerId: string): ProblemException {
  return notFoundProblem(`customer ${customerId} is not in the directory`);
}
