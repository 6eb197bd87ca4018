// The recovery module's public face: other modules import only this file (eslint holds it).

export { isEmailVerified } from './recovery.repository.js';
export { recoveryRoutes } from './recovery.routes.js';
export { RecoveryService } from './recovery.service.js';
