// The ops module's public face: other modules import only this file (eslint holds it).

export { Metrics, registerMetrics } from './metrics.js';
export { opsRoutes } from './ops.routes.js';
