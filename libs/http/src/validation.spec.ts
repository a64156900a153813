import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsOptional, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { ProblemException, PROBLEM_TYPES } from './problem.js';
import { createValidationPipe, ParseUuidPipe } from './validation.js';

class LineDto {
  @IsString()
  readonly productId!: string;

  @IsInt()
  @Min(1)
  readonly quantity!: number;
}

class AddressDto {
  @IsString()
  readonly city!: string;
}

class OrderDto {
  @IsUUID()
  readonly customerId!: string;

  @ValidateNested({ each: true })
  @ArrayMinSize(1)
  @Type(() => LineDto)
  readonly lines!: LineDto[];

  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  readonly address?: AddressDto;
}

async function problemOf(value: unknown): Promise<ProblemException> {
  try {
    await createValidationPipe().transform(value, { type: 'body', metatype: OrderDto });
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('expected a validation problem');
}

describe('the validation pipe', () => {
  const valid = { customerId: '0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d', lines: [{ productId: 'p1', quantity: 2 }] };

  it('turns a valid body into the DTO class', async () => {
    const order = await createValidationPipe().transform(valid, { type: 'body', metatype: OrderDto });
    expect(order).toBeInstanceOf(OrderDto);
    expect(order.lines[0]).toBeInstanceOf(LineDto);
  });

  it('names each invalid field by its full path, array items and nested objects included', async () => {
    const { problem } = await problemOf({
      customerId: 'c1',
      lines: [{ productId: 'p1', quantity: 1 }, { productId: 'p2', quantity: 0 }],
      address: { city: 7 },
    });
    expect(problem).toMatchObject({ type: PROBLEM_TYPES.validationFailed, status: 400, title: 'Invalid request' });
    expect(problem.errors).toEqual([
      { field: 'customerId', message: 'customerId must be a UUID' },
      { field: 'lines.1.quantity', message: 'quantity must not be less than 1' },
      { field: 'address.city', message: 'city must be a string' },
    ]);
  });

  it('refuses unknown fields, nested ones too', async () => {
    const { problem } = await problemOf({ ...valid, extra: 1, lines: [{ productId: 'p1', quantity: 2, colour: 'red' }] });
    expect(problem.errors).toEqual([
      { field: 'extra', message: 'property extra should not exist' },
      { field: 'lines.0.colour', message: 'property colour should not exist' },
    ]);
  });

  it('does not convert types implicitly', async () => {
    const { problem } = await problemOf({ ...valid, lines: [{ productId: 'p1', quantity: '2' }] });
    expect(problem.errors).toContainEqual({ field: 'lines.0.quantity', message: 'quantity must be an integer number' });
  });

  it('refuses a body that is not an object', async () => {
    for (const body of [[valid], 'order', 42, null]) {
      expect((await problemOf(body)).problem.errors).toEqual([{ field: 'body', message: 'the body must be a JSON object' }]);
    }
  });

  it('names the missing fields when there is no body', async () => {
    expect((await problemOf(undefined)).problem.errors).toEqual([
      { field: 'customerId', message: 'customerId must be a UUID' },
      { field: 'lines', message: 'lines must contain at least 1 elements' },
    ]);
  });
});

describe('ParseUuidPipe', () => {
  it('passes a UUID and names the parameter of anything else', () => {
    const pipe = new ParseUuidPipe();
    expect(pipe.transform('0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d', { type: 'param', data: 'id' })).toBe('0b6f5f1e-6a43-4f7e-9d0c-2b1e3f4a5c6d');
    expect(() => pipe.transform('42', { type: 'param', data: 'customerId' })).toThrow(
      expect.objectContaining({ problem: expect.objectContaining({ status: 400, errors: [{ field: 'customerId', message: 'customerId must be a UUID' }] }) }),
    );
  });
});
