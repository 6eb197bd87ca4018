// The apps module's public face: other modules import only this file (eslint holds it).

export { BACKOFFICE_APP_ID, BUILT_IN_APP_IDS, DOCTOR_WORKSPACE_APP_ID } from './apps.repository.js';
export { AppsService } from './apps.service.js';
export type { AppAudit, AppResource, ClientApp } from './apps.service.js';
