import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { StreamCommandsModule } from '#commands';
import { ProductsController } from './products.controller.js';

/** The product catalog: list, reprice and retire products on their `product-<sku>` streams. */
@Module({
  imports: [CqrsModule, StreamCommandsModule],
  controllers: [ProductsController],
})
export class ProductsModule {}
