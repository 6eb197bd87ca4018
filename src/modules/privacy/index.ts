// The privacy module's public face: other modules import only this file (eslint holds it).

export { privacyRoutes } from './privacy.routes.js';
export { PrivacyService } from './privacy.service.js';
