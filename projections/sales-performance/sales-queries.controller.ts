import { Controller, Get, Headers, Param, Query, Sse, SseSignal, type MessageEvent } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { from, map, type Observable } from 'rxjs';
import { ApiProblemResponse, notFoundProblem, ParseIdPipe } from '#http';
import { REP_TASKS, RepTasksQueries } from '#projections/rep-tasks';
import { ConsistencyHeader, type ConsistencyQueryDto, CONSISTENT_WITH, ReadModels } from '#read-model-engine';
import { Roles } from '#auth';
import { SALES_PERFORMANCE } from './sales-performance.projection.js';
import { SalesPerformanceQueries, type Leaderboard } from './sales-performance.queries.js';
import { today } from '../shared/calendar.js';
import { yearToDate } from '../shared/parameters.js';
import { CommissionsQueryDto, GoalsQueryDto, LeaderboardQueryDto, RepCommissionsQueryDto, TasksQueryDto } from './query-sales.dto.js';
import { LeaderboardFeed } from './leaderboard-feed.js';

const DEFAULT_LIMIT = 50;

/**
 * The read side of the sales force, for analysts: commission totals, the leaderboard (also as a
 * live stream), goal progress and reps' tasks. Like every query route, each first waits for the
 * position a client asks for (X-Consistent-With or consistentWith): a client reads its own writes.
 */
@ApiTags('sales')
@Roles('analyst', 'admin')
@Controller()
@ApiProblemResponse(400, 'Invalid or unknown query parameter, cursor or position')
@ApiProblemResponse(503, 'The read model has not reached the requested position in time, or is not built yet')
export class SalesQueryController {
  constructor(
    private readonly readModels: ReadModels,
    private readonly feed: LeaderboardFeed,
  ) {}

  @Get('reps/:id/commissions')
  @ConsistencyHeader()
  @ApiOperation({
    summary: "A rep's commission totals per period",
    description:
      'Per period (day, month, quarter or year, UTC) and currency: revenue, refunds, net revenue, commission earned, reversed by refunds, and net; ' +
      'amounts in minor units. A sale earns by the plan in force on its date; refunds count in the period they happen.',
  })
  @ApiOkResponse({ description: '{ items: totals per period and currency, oldest first }' })
  @ApiProblemResponse(404, 'Unknown rep')
  async repCommissions(@Param('id', ParseIdPipe) id: string, @Query() query: RepCommissionsQueryDto, @Headers(CONSISTENT_WITH) header?: string) {
    const sales = await this.salesOfRep(id, query, header);
    return { items: await sales.repCommissions(id, { period: query.period, ...yearToDate(query) }) };
  }

  @Get('commissions')
  @ConsistencyHeader()
  @ApiOperation({ summary: "Every rep's commission totals per period", description: 'Keyset pages on (period, rep, currency).' })
  @ApiOkResponse({ description: '{ items, nextCursor }' })
  async commissions(@Query() query: CommissionsQueryDto, @Headers(CONSISTENT_WITH) header?: string) {
    return (await this.sales(query, header)).commissions({
      period: query.period,
      ...yearToDate(query),
      team: query.team,
      limit: query.limit ?? DEFAULT_LIMIT,
      cursor: query.cursor,
    });
  }

  @Get('leaderboard')
  @ConsistencyHeader()
  @ApiOperation({
    summary: 'The leaderboard of a period',
    description: 'Per currency, reps ranked by net revenue (then deals, then rep id) with deals, calls, leads converted and goal attainment.',
  })
  @ApiOkResponse({ description: '{ period, periodStart, items }' })
  leaderboard(@Query() query: LeaderboardQueryDto, @Headers(CONSISTENT_WITH) header?: string): Promise<Leaderboard> {
    return this.standings(query, header);
  }

  @Sse('leaderboard/stream')
  @ConsistencyHeader()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary: 'The leaderboard, live',
    description:
      'Server-sent events: a `standings` event with the leaderboard (as GET /leaderboard) at once, then again whenever a projection batch changes it; ' +
      'a comment every 15 s while nothing changes.',
  })
  async stream(@Query() query: LeaderboardQueryDto, @SseSignal() signal: AbortSignal, @Headers(CONSISTENT_WITH) header?: string): Promise<Observable<MessageEvent>> {
    // Read before the stream opens: a bad parameter is still an HTTP error, not a broken stream.
    const first = await this.standings(query, header);
    return from(this.feed.follow(() => this.standings({ ...query, consistentWith: undefined }, undefined), first, signal)).pipe(
      map((item): MessageEvent => (item.kind === 'update' ? { type: 'standings', data: item.value } : { comment: 'keepalive', data: '' })),
    );
  }

  @Get('reps/:id/goals')
  @ConsistencyHeader()
  @ApiOperation({ summary: "A rep's goals and how far each is reached", description: 'Per goal period, oldest first: targets, achieved figures and attainment %.' })
  @ApiOkResponse({ description: '{ items }' })
  @ApiProblemResponse(404, 'Unknown rep')
  async goals(@Param('id', ParseIdPipe) id: string, @Query() query: GoalsQueryDto, @Headers(CONSISTENT_WITH) header?: string) {
    const sales = await this.salesOfRep(id, query, header);
    return { items: await sales.goalProgress(id, { period: query.period, from: query.from, to: query.to }) };
  }

  @Get('reps/:id/tasks')
  @ConsistencyHeader()
  @ApiOperation({
    summary: "A rep's tasks",
    description: 'Soonest due first, keyset pages; status open (overdue included), overdue or done; with the counts per status.',
  })
  @ApiOkResponse({ description: '{ items, nextCursor, counts: { open, overdue, done } }' })
  @ApiProblemResponse(404, 'Unknown rep')
  async tasks(@Param('id', ParseIdPipe) id: string, @Query() query: TasksQueryDto, @Headers(CONSISTENT_WITH) header?: string) {
    const [salesSchema, tasksSchema] = await this.readModels.schemas([SALES_PERFORMANCE, REP_TASKS], query, header);
    await this.knownRep(new SalesPerformanceQueries(this.readModels.db, salesSchema), id);
    const tasks = new RepTasksQueries(this.readModels.db, tasksSchema);
    const { status, kind, customerId, dueFrom, dueBefore, cursor } = query;
    const date = today();
    const [page, counts] = await Promise.all([
      tasks.page(id, { status, kind, customerId, dueFrom, dueBefore, today: date, limit: query.limit ?? DEFAULT_LIMIT, cursor }),
      tasks.counts(id, date),
    ]);
    return { ...page, counts };
  }

  private async standings(query: LeaderboardQueryDto, header: string | undefined): Promise<Leaderboard> {
    return (await this.sales(query, header)).leaderboard({ period: query.period ?? 'month', date: query.date, team: query.team, currency: query.currency });
  }

  private async sales(query: ConsistencyQueryDto, header: string | undefined): Promise<SalesPerformanceQueries> {
    return new SalesPerformanceQueries(this.readModels.db, await this.readModels.schema(SALES_PERFORMANCE, query, header));
  }

  private async salesOfRep(repId: string, query: ConsistencyQueryDto, header: string | undefined): Promise<SalesPerformanceQueries> {
    const sales = await this.sales(query, header);
    await this.knownRep(sales, repId);
    return sales;
  }

  private async knownRep(sales: SalesPerformanceQueries, repId: string): Promise<void> {
    if (!(await sales.repOnboarded(repId))) {
      throw notFoundProblem(`rep ${repId} is not onboarded`);
    }
  }
}
