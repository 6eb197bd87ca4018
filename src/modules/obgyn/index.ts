// The obgyn module's public face: other modules import only this file (eslint holds it).

export { ObgynSchema, obgynRoutes } from './obgyn.routes.js';
export { ObgynService } from './obgyn.service.js';
export type { ObgynResource } from './obgyn.service.js';
