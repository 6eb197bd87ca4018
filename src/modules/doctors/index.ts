// The doctors module's public face: other modules import only this file (eslint holds it).

export { doctorSessionRoutes } from './doctor-session.routes.js';
export { DoctorWorkspace } from './doctor-workspace.js';
export { doctorRoutes } from './doctors.routes.js';
export { DoctorLoginError, createDoctorLogin } from './doctors.service.js';
