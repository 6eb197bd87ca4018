// The admin module's public face: other modules import only this file (eslint holds it).

export { AdminSchedules } from './admin-schedules.js';
export { adminScopeGuard } from './admin-scope.js';
export { adminRoutes } from './admin.routes.js';
export { HM_PATTERN, YMD_PATTERN } from './admin.schemas.js';
export { AdminInputError, createAdmin } from './admin-accounts.js';
export { writeAudit } from './admin-audit.js';
export { AdminService } from './admin.service.js';
