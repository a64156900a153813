import { ApiProperty } from '@nestjs/swagger';
import { CalendarDate, CurrencyCode, MinorAmount, RequiredId, Text } from '#http';
import { StreamCommandResultDto } from '#commands';

export class ListProductDto {
  @RequiredId('The SKU: the product’s id, as purchase lines name it', 'SKU-1001')
  sku!: string;

  @Text(200, { description: 'Name', example: 'Standing desk' })
  name!: string;

  @Text(100, { description: 'Category, as purchase lines and commission plans name it', example: 'furniture' })
  category!: string;

  @CurrencyCode('ISO 4217 currency of the price and the cost')
  currency!: string;

  @MinorAmount('List price of one unit', 49_900)
  listPriceMinor!: number;

  @MinorAmount('What one unit costs the company; may exceed the list price (a negative margin)', 31_000)
  unitCostMinor!: number;

  @CalendarDate('First day the price and cost hold; defaults to today (UTC)', '2026-07-01', true)
  effectiveFrom?: string;
}

/** At least one of the two amounts. */
export class ChangeProductPriceDto {
  @MinorAmount('New list price of one unit', 44_900, true)
  listPriceMinor?: number;

  @MinorAmount('New cost of one unit', 29_000, true)
  unitCostMinor?: number;

  @CalendarDate('First day the new amounts hold: today at the earliest, and after the latest price’s', '2026-09-01')
  effectiveFrom!: string;
}

export class RetireProductDto {
  @Text(1000, { multiline: true, description: 'Why', example: 'Discontinued by the maker', optional: true })
  reason?: string;
}

export class ProductCommandResultDto extends StreamCommandResultDto {
  @ApiProperty({ example: 'SKU-1001' })
  sku!: string;
}
