// The obgyn module's public face: other modules import only this file (eslint holds it).

export { obgynRoutes } from './obgyn.routes.js';
export { ObgynSchema } from './obgyn.schemas.js';
export { ObgynService } from './obgyn.service.js';
export type { ObgynResource } from './obgyn.service.js';
