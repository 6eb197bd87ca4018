// The notifications module's public face: other modules import only this file (eslint holds it).

export { recordReminders } from './notifications.repository.js';
export { doctorNotificationRoutes, notificationRoutes } from './notifications.routes.js';
export { NotificationSchema } from './notifications.schemas.js';
export { NotificationsService } from './notifications.service.js';
export type { NotificationResource } from './notifications.service.js';
export { insertOutbox, outboxRow } from './outbox.js';
export type { Resolver } from './webhooks.js';
export { webhookAdminRoutes } from './webhooks.routes.js';

import { recordReminders } from './notifications.repository.js';
import { insertOutbox, outboxRow } from './outbox.js';

/** The booking module's OrderEvents port, as this module fulfils it: the outbox and the reminders. */
export const orderEventsOutbox = { recorded: insertOutbox, row: outboxRow, remindersDue: recordReminders };
