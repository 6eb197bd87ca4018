// The shop module's public face: other modules import only this file (eslint holds it).

export { shopRoutes } from './shop.routes.js';
export { ShopService } from './shop.service.js';
