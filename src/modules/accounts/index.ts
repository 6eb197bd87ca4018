// The accounts module's public face: other modules import only this file (eslint holds it).

export { emailExists, findUserById, findUserByLogin, insertUser, newUserRow } from './accounts.repository.js';
export type { UserRow } from './accounts.repository.js';
export { accountsRoutes, imageFileRoutes } from './accounts.routes.js';
export { LoginBody, SessionSchema, UserResourceSchema } from './accounts.schemas.js';
export { AccountsService, avatarPath, normalizeLogin, toUserResource } from './accounts.service.js';
export type { Session, UserResource } from './accounts.service.js';
export { AVATAR_MAX_BYTES, processAvatar } from './avatar.js';
export { ADMIN_PASSWORD_MIN_LENGTH, DOCTOR_PASSWORD_MIN_LENGTH } from './passwords.js';
export { lockUsernames, usernameTaken } from './usernames.js';
