// The mail module's public face: other modules import only this file (eslint holds it).

export { createMailer } from './mailer.js';
export type { MailMessage, Mailer } from './mailer.js';
export { emailVerificationMail, passwordChangedMail, passwordResetMail } from './templates.js';
