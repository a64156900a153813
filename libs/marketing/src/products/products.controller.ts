import { Body, Controller, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Command, type CommandContext, CurrentCommand, executeOnStream, type StreamCommands } from '#commands';
import { ApiProblemResponse, ParseIdPipe } from '#http';
import { Roles } from '#auth';
import { productDecider, productStream, type ProductCommand, type ProductEvent, type ProductState } from '#marketing/domain';
import { schemaVersionOf } from '#event-catalog';
import { ChangeProductPriceDto, ListProductDto, ProductCommandResultDto, RetireProductDto } from './dto/product.dto.js';

const PRODUCTS: StreamCommands<ProductCommand, ProductEvent, ProductState> = {
  decider: productDecider,
  streamOf: (command) => productStream(command.sku),
  schemaVersionOf,
};

const now = () => new Date().toISOString();

/**
 * The product catalog: each route turns its body into a domain command on the product's stream
 * (`product-<sku>`) and answers where that stream stands after it.
 */
@ApiTags('products')
@Roles('service', 'admin')
@Controller('products')
@ApiProblemResponse(400, 'Malformed body, unknown field, or a field of the wrong type or format')
@ApiProblemResponse(413, 'Body too large')
export class ProductsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Command()
  @ApiOperation({ summary: 'List a product in the catalog, with its price and unit cost' })
  @ApiCreatedResponse({ type: ProductCommandResultDto })
  list(@Body() body: ListProductDto, @CurrentCommand() context: CommandContext): Promise<ProductCommandResultDto> {
    const listedAt = now();
    return this.run({ type: 'ListProduct', ...body, effectiveFrom: body.effectiveFrom ?? listedAt.slice(0, 10), listedAt }, context);
  }

  @Patch(':sku')
  @Command()
  @ApiOperation({
    summary: 'Change the list price and/or unit cost from a date on',
    description: 'Prices never change the past: a change takes effect today at the earliest, and after the latest one.',
  })
  @ApiOkResponse({ type: ProductCommandResultDto })
  @ApiProblemResponse(404, 'Unknown product')
  changePrice(@Param('sku', ParseIdPipe) sku: string, @Body() body: ChangeProductPriceDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'ChangeProductPrice', ...body, sku, changedAt: now() }, context);
  }

  @Post(':sku/retire')
  @HttpCode(200)
  @Command()
  @ApiOperation({ summary: 'Retire a product', description: 'Final: a retired product takes no further change.' })
  @ApiOkResponse({ type: ProductCommandResultDto })
  @ApiProblemResponse(404, 'Unknown product')
  retire(@Param('sku', ParseIdPipe) sku: string, @Body() body: RetireProductDto, @CurrentCommand() context: CommandContext) {
    return this.run({ type: 'RetireProduct', ...body, sku, retiredAt: now() }, context);
  }

  private async run(command: ProductCommand, context: CommandContext): Promise<ProductCommandResultDto> {
    return { sku: command.sku, ...(await executeOnStream(this.commandBus, PRODUCTS, command, context)) };
  }
}
