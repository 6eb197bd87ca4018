// The booking module's public face: other modules import only this file (eslint holds it).

export { ordersOfPatient } from './booking.repository.js';
export type { OrderRow } from './booking.repository.js';
export { bookingRoutes, paymentWebhookRoutes, sandboxPaymentRoutes } from './booking.routes.js';
export { OrderSchema, StaffOrderSchema, TimeSlotSchema } from './booking.schemas.js';
export { ACTIVE_STATUSES, BookingService, DOCTOR_ACTIONS, staffView } from './booking.service.js';
export type { DoctorMoveInput, DoctorOrderResource, OrderResource, StaffOrderResource } from './booking.service.js';
export { doctorView } from './consent.js';
export { ORDER_STATUSES } from './order-machine.js';
export type { OrderStatus } from './order-machine.js';
export type { AppointmentType } from './schedule.js';
