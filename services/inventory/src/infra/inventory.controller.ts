import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { assertNever } from '@shopfront/contracts';
import { HttpProblem, ZodValidationPipe } from '@shopfront/http';
import { PG_POOL } from '@shopfront/runtime';
import type pg from 'pg';
import { z } from 'zod';
import { STOCK_STORE, type StockStore } from '../app/ports.js';
import { announceCatalog } from '../app/stock-changes.js';
import { setStockOnHand } from '../app/stock-levels.js';
import { InventoryError } from '../domain/errors.js';
import { available, type StockLevel } from '../domain/stock.js';

const OnHandBody = z.strictObject({ onHand: z.number().int().min(0).max(1_000_000_000) });
const stockView = (level: StockLevel) => ({ sku: level.sku, onHand: level.onHand, reserved: level.reserved, available: available(level) });

/** The catalog with availability (the gateway's upstream for operators) and the stock admin routes, from inventory's own store. */
@Controller()
export class InventoryController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(STOCK_STORE) private readonly stock: StockStore,
  ) {}

  @Get('products')
  async products() {
    const levels = await this.stock.allStock(this.pool);
    return { items: levels.map((level) => ({ sku: level.sku, name: level.name, price: level.price, available: available(level) })) };
  }

  @Get('admin/inventory')
  async inventory() {
    return { items: (await this.stock.allStock(this.pool)).map(stockView) };
  }

  /** Resync: every product's current state on inventory.events again, for read models that lost theirs. */
  @Post('admin/catalog/announce')
  @HttpCode(202)
  async announce() {
    return { announced: await announceCatalog(this.stock, this.pool) };
  }

  @Put('admin/inventory/:sku')
  async setOnHand(@Param('sku') sku: string, @Body(new ZodValidationPipe(OnHandBody)) body: z.infer<typeof OnHandBody>) {
    try {
      return stockView(await setStockOnHand(this.stock, this.pool, sku, body.onHand));
    } catch (error) {
      throw error instanceof InventoryError ? toProblem(error) : error;
    }
  }
}

function toProblem(error: InventoryError): HttpProblem {
  switch (error.code) {
    case 'UNKNOWN_SKU':
      return new HttpProblem(404, 'Not found', error.message);
    case 'WOULD_OVERSELL':
      return new HttpProblem(409, 'Conflict', error.message);
    default:
      return assertNever(error.code);
  }
}
