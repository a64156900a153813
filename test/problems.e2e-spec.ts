import { jest } from '@jest/globals';
import { Body, Controller, Get, Logger, Param, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { Roles } from '#auth';
import { NotFoundError, RuleViolationError } from '#domain';
import { DuplicateEventIdError, EventStoreUnavailableError, parsePosition, WrongExpectedRevisionError } from '#event-store';
import { PROBLEM_TYPES } from '#http';
import { startTestApi, type TestApi } from './support/api.js';

class LineDto {
  @IsString()
  readonly productId!: string;

  @IsInt()
  @Min(1)
  readonly quantity!: number;
}

class OrderDto {
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  readonly lines!: LineDto[];

  @IsOptional()
  @IsString()
  readonly note?: string;
}

const FAILURES: Record<string, () => never> = {
  'not-found': () => {
    throw new NotFoundError('customer_not_found', 'no customer c1');
  },
  'rule-violated': () => {
    throw new RuleViolationError('refund_exceeds_purchase', 'the refund exceeds the purchase', 'lines[1].quantity');
  },
  'wrong-revision': () => {
    throw new WrongExpectedRevisionError('customer-c1', 3, 5);
  },
  'duplicate-event-id': () => {
    throw new DuplicateEventIdError('customer-c1', ['e1']);
  },
  'invalid-position': () => {
    parsePosition('yesterday');
    throw new Error('unreachable');
  },
  unavailable: () => {
    throw new EventStoreUnavailableError('EventStoreDB: connect ECONNREFUSED 10.0.0.7:2113');
  },
  bug: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'secret')");
  },
};

/** Test-only routes that fail in each way the app knows. */
@Roles('service')
@Controller('test')
class FailingTestController {
  @Post('orders')
  order(@Body() order: OrderDto): { lines: number } {
    return { lines: order.lines.length };
  }

  @Get('failures/:kind')
  fail(@Param('kind') kind: string): never {
    return FAILURES[kind]();
  }
}

const PROBLEM_JSON = /^application\/problem\+json/;

describe('errors as application/problem+json', () => {
  let api: TestApi;
  const post = (body: string | object, contentType = 'application/json') =>
    api.http.post('/test/orders').auth(api.keys.service, { type: 'bearer' }).set('Content-Type', contentType).send(body);

  beforeAll(async () => {
    api = await startTestApi({ controllers: [FailingTestController] });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('accepts a valid body', async () => {
    await post({ lines: [{ productId: 'p1', quantity: 1 }] }).expect(201, { lines: 1 });
  });

  it('answers malformed JSON with 400', async () => {
    const response = await post('{"lines": [', 'application/json').expect(400).expect('Content-Type', PROBLEM_JSON);
    expect(response.body).toEqual({
      type: PROBLEM_TYPES.malformedJson,
      title: 'Malformed JSON',
      status: 400,
      detail: expect.stringMatching(/^the body is not valid JSON: /),
      instance: '/test/orders',
    });
  });

  it('answers an invalid body with 400 naming each field by its full path', async () => {
    const response = await post({ lines: [{ productId: 'p1', quantity: 1 }, { productId: 'p2', quantity: 0, colour: 'red' }], discount: 5 })
      .expect(400)
      .expect('Content-Type', PROBLEM_JSON);
    expect(response.body).toEqual({
      type: PROBLEM_TYPES.validationFailed,
      title: 'Invalid request',
      status: 400,
      detail: '3 problems with the request; see errors',
      instance: '/test/orders',
      errors: [
        { field: 'discount', message: 'property discount should not exist' },
        { field: 'lines.1.colour', message: 'property colour should not exist' },
        { field: 'lines.1.quantity', message: 'quantity must not be less than 1' },
      ],
    });
  });

  it('answers a body that is not an object with 400', async () => {
    const response = await post([{ productId: 'p1', quantity: 1 }]).expect(400).expect('Content-Type', PROBLEM_JSON);
    expect(response.body.errors).toEqual([{ field: 'body', message: 'the body must be a JSON object' }]);
  });

  it('accepts bodies up to 256 kB and answers larger ones with 413', async () => {
    await post({ lines: [], note: 'x'.repeat(200 * 1024) }).expect(201);
    const response = await post({ lines: [], note: 'x'.repeat(257 * 1024) }).expect(413).expect('Content-Type', PROBLEM_JSON);
    expect(response.body).toEqual({
      type: PROBLEM_TYPES.payloadTooLarge,
      title: 'Payload too large',
      status: 413,
      detail: 'the body is larger than 256 kB',
      instance: '/test/orders',
    });
  });

  it('answers an unknown route with 404, with or without a key', async () => {
    const response = await api.http.get('/no/such/route?secret=1').expect(404).expect('Content-Type', PROBLEM_JSON);
    expect(response.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'Cannot GET /no/such/route?secret=1', instance: '/no/such/route' });
    await api.http.post('/no/such/route').auth(api.keys.admin, { type: 'bearer' }).expect(404).expect('Content-Type', PROBLEM_JSON);
  });

  it.each([
    ['not-found', 404, { type: PROBLEM_TYPES.notFound, reason: 'customer_not_found', detail: 'no customer c1' }],
    [
      'rule-violated',
      422,
      {
        type: PROBLEM_TYPES.ruleViolated,
        reason: 'refund_exceeds_purchase',
        field: 'lines.1.quantity',
        errors: [{ field: 'lines.1.quantity', message: 'the refund exceeds the purchase' }],
      },
    ],
    ['wrong-revision', 409, { type: PROBLEM_TYPES.concurrencyConflict, currentRevision: 5 }],
    ['duplicate-event-id', 409, { type: PROBLEM_TYPES.duplicateEventId }],
    ['invalid-position', 400, { type: PROBLEM_TYPES.invalidPosition }],
    ['unavailable', 503, { type: PROBLEM_TYPES.serviceUnavailable, detail: 'the event store cannot be reached; retry later' }],
    ['bug', 500, { type: PROBLEM_TYPES.internal, detail: 'an unexpected error occurred; it has been logged' }],
  ])('answers %s with %i', async (kind, status, expected) => {
    const response = await api.http.get(`/test/failures/${kind}`).auth(api.keys.service, { type: 'bearer' }).expect(status).expect('Content-Type', PROBLEM_JSON);
    expect(response.body).toMatchObject({ ...expected, status, instance: `/test/failures/${kind}` });
    expect(response.text).not.toMatch(/secret|10\.0\.0\.7|at .+\.ts/);
    if (status === 503) expect(response.headers['retry-after']).toBe('5');
  });
});

describe('an unexpected error', () => {
  it('is logged with its stack', async () => {
    const api = await startTestApi({ controllers: [FailingTestController] });
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await api.http.get('/test/failures/bug').auth(api.keys.service, { type: 'bearer' }).expect(500);
      expect(logged).toHaveBeenCalledWith(
        "GET /test/failures/bug failed: Cannot read properties of undefined (reading 'secret')",
        expect.stringContaining('TypeError: Cannot read properties of undefined'),
      );
    } finally {
      logged.mockRestore();
      await api.close();
    }
  });
});
