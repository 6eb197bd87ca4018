// The catalogue module's public face: other modules import only this file (eslint holds it).

export { catalogueRoutes } from './catalogue.routes.js';
export { CATALOGUE_VERSION, CatalogueService, imagePath, sanitizeArticleHtml } from './catalogue.service.js';
export type { Page } from './catalogue.service.js';
export { seedCatalogue, seedCatalogueIfEmpty } from './seed.js';
export {
  articleHtmlIsEmpty,
  catalogueColumns,
  insertRows,
  newCatalogueRow,
  updateCatalogueRow,
  type CatalogueFields,
  type CatalogueTable,
} from './catalogue-writer.js';
