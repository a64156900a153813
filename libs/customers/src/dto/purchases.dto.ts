import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { CurrencyCode, MAX_MINOR, OccurredAt, OptionalId, RequiredId, Text } from '#http';

export class PurchaseLineDto {
  @RequiredId('Product SKU', 'SKU-1001')
  productSku!: string;

  @ApiProperty({ example: 3, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity!: number;

  @ApiProperty({ example: 1999, minimum: 0, description: 'Price of one unit in minor units (1999 = 19.99)' })
  @IsInt()
  @Min(0)
  @Max(MAX_MINOR)
  unitPriceMinor!: number;

  @CurrencyCode()
  currency!: string;

  @Text(100, { description: 'Product category (trimmed); commission plans may set a rate per category', example: 'hardware', optional: true })
  category?: string;
}

export class RecordPurchaseDto {
  @RequiredId('Order id: an order is recorded once', 'order-2026-0042')
  orderId!: string;

  @ApiProperty({ type: () => [PurchaseLineDto], minItems: 1, maxItems: 500 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => PurchaseLineDto)
  lines!: PurchaseLineDto[];

  @OptionalId('The rep credited with the sale', 'rep-17')
  repId?: string;

  @OccurredAt('When it was bought (ISO 8601 with a zone); defaults to now')
  purchasedAt?: string;

  @Text(2000, { multiline: true, description: 'Special instructions', example: 'Deliver to the loading dock', optional: true })
  specialInstructions?: string;
}

export class RefundLineDto {
  @ApiProperty({ example: 1, minimum: 1, description: 'Line number of the purchase (1-based)' })
  @IsInt()
  @Min(1)
  lineNo!: number;

  @ApiProperty({ example: 1, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity!: number;

  @ApiProperty({ required: false, example: 1999, minimum: 0, description: 'Amount refunded in minor units; default quantity × unit price' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_MINOR)
  amountMinor?: number;
}

export class RecordRefundDto {
  @OptionalId('Id of the refund; derived from the command id when absent')
  refundId?: string;

  @RequiredId('The order refunded', 'order-2026-0042')
  orderId!: string;

  @ApiProperty({ type: () => [RefundLineDto], minItems: 1, maxItems: 500 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => RefundLineDto)
  lines!: RefundLineDto[];

  @Text(1000, { multiline: true, description: 'Why', example: 'Damaged in transit', optional: true })
  reason?: string;

  @OccurredAt('When it was refunded (ISO 8601 with a zone); defaults to now')
  refundedAt?: string;
}
