import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { CatalogueService } from '../catalogue/catalogue.service.js';

/**
 * The health shop (to be built):
 *
 *   GET /ecommerce/product            products: page, data
 *   GET /ecommerce/product/:slug      one product
 *   GET /ecommerce/category           categories: page, data
 *   GET /ecommerce/category/:slug     the products of one category: page, data
 */
export async function shopRoutes(
  _fastify: FastifyInstance,
  _deps: { catalogue: CatalogueService; config: Pick<Config, 'publicUrl'> },
): Promise<void> {}
