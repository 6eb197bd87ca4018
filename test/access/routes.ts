import { A_OBGYN, PNG, type World } from './world.js';

/**
 * Every operation of the OpenAPI document, classified. An operation that needs a token is in
 * one of PATIENT, DOCTOR, ADMIN or ANY_ROLE (who may call it) with a request that would touch A's data if
 * the guard let it through; every other operation is in PUBLIC with the reason it carries no
 * one's data without a secret. The matrix test fails on an operation in none of them, so a route
 * added later gets a matrix entry (or a stated reason) before it ships.
 */

export type Role = 'patient' | 'doctor' | 'admin';

export interface Sample {
  /** The path with its parameters filled; by default from PARAMS. */
  url?: string;
  payload?: Record<string, unknown>;
}

/** Patient-token operations, by operationId: the request A would send about A's own data. */
export const PATIENT: Record<string, (w: World) => Sample> = {
  me: () => ({}),
  updateProfile: () => ({ payload: { name: 'Nama Diganti', phone_number: '089900001111' } }),
  setAvatar: () => ({ payload: { file: PNG, type: 'png' } }),
  getObgyn: () => ({}),
  saveObgyn: () => ({ payload: { ...A_OBGYN, suami: 'Suami Diganti' } }),
  emailVerificationStatus: () => ({}),
  resendEmailVerification: () => ({ payload: {} }),
  exportMyData: () => ({}),
  exportMyDataWithPassword: (w) => ({ payload: { password: w.a.password } }),
  myAccessLog: () => ({}),
  deleteMyAccount: (w) => ({ payload: { password: w.a.password } }),
  book: (w) => ({ payload: { ...w.idempotentBody, time: '2026-12-04 10:00' } }),
  listOrders: () => ({ payload: {} }),
  showOrder: (w) => ({ payload: { transaction_id: w.orders.confirmed!.transactionId } }),
  patientOrderAction: (w) => ({
    payload: { transaction_id: w.orders.confirmed!.transactionId, type: 'reject_by_patient' },
  }),
  listNotifications: () => ({}),
  readNotifications: (w) => ({ payload: { ids: w.aNotificationIds.slice(0, 100) } }),
};

/**
 * Operations every role's token opens (the document's `x-token-roles`), each on the caller's own
 * session: A's requests about A's own session. Every other user's, even in their own app, must
 * not reach A's.
 */
export const ANY_ROLE: Record<string, (w: World) => Sample> = {
  changePassword: (w) => ({
    payload: {
      current_password: w.a.password,
      new_password: 'diganti-sekali-99',
      new_password_confirmation: 'diganti-sekali-99',
    },
  }),
  logout: () => ({}),
};

/** Doctor-token operations: D1's requests about A's orders. */
export const DOCTOR: Record<string, (w: World) => Sample> = {
  listDoctorOrders: () => ({}),
  doctorOrderAction: (w) => ({ url: `/api/doctor-app/orders/${w.orders.toConfirm!.transactionId}/confirm` }),
  listDoctorNotifications: () => ({}),
  readDoctorNotifications: (w) => ({ payload: { ids: w.d1NotificationIds.slice(0, 100) } }),
  showDoctorOrder: (w) => ({ url: `/api/doctor-app/orders/${w.orders.confirmed!.transactionId}` }),
  doctorOrderFreeSlots: (w) => ({
    url: `/api/doctor-app/orders/${w.orders.confirmed!.transactionId}/free-slots?date=2026-12-04`,
  }),
  doctorPractices: () => ({}),
  doctorLeaveList: () => ({}),
  doctorLeaveCreate: (w) => ({ payload: { practice_id: w.fx.practiceIds['andi@jakarta']!, date: '2026-12-04' } }),
  doctorLeaveOrders: () => ({}),
  doctorLeaveDelete: () => ({}),
  doctorSessionRead: () => ({}),
  doctorSessionDelete: () => ({ url: '/api/doctor-app/session?everywhere=true' }),
  doctorChangePassword: () => ({
    payload: { current_password: 'dokter-sandi-2026', new_password: 'diganti-sekali-dokter-99' },
  }),
};

/** Admin-token operations: the back office (orders, audit trail, webhooks, catalogue). */
export const ADMIN: readonly string[] = [
  'adminMe',
  'adminLogout',
  'adminSessionRead',
  'adminListStaff',
  'adminCreateStaff',
  'adminUpdateStaff',
  'adminDisableStaff',
  'adminEnableStaff',
  'adminResetStaffPassword',
  'adminSessionDelete',
  'adminListOrders',
  'adminGetOrder',
  'adminRefundOrder',
  'adminDashboard',
  'adminListApps',
  'adminGetApp',
  'adminCreateApp',
  'adminUpdateApp',
  'adminRotateApp',
  'adminRevokeApp',
  'adminRevokeKey',
  'auditLog',
  'createWebhook',
  'listWebhooks',
  'deleteWebhook',
  'listWebhookDeliveries',
  'resendWebhookDelivery',
  'adminGetSchedule',
  'adminPracticeSlots',
  'adminCreateScheduleRule',
  'adminUpdateScheduleRule',
  'adminDeleteScheduleRule',
  'adminCreateScheduleException',
  'adminDeleteScheduleException',
  'adminRemoveProductImage',
  'adminImportCatalogue',
  ...['Speciality', 'Hospital', 'Doctor', 'Article', 'ProductCategory', 'Product', 'Practice'].flatMap((e) => [
    `adminCreate${e}`,
    `adminGet${e}`,
    `adminUpdate${e}`,
    `adminDelete${e}`,
    `adminPublish${e}`,
    `adminUnpublish${e}`,
  ]),
  ...['Specialities', 'Hospitals', 'Doctors', 'Articles', 'ProductCategories', 'Products', 'Practices'].map(
    (e) => `adminList${e}`,
  ),
  ...['Doctor', 'Hospital', 'Article', 'Product'].map((e) => `adminSet${e}Image`),
];

/** Operations that need no token, and why they give no one's data to a caller. */
export const PUBLIC: Record<string, string> = {
  loginPatient: 'the credentials are the secret; an unknown account answers like a wrong password',
  loginDoctor: 'as loginPatient',
  loginAdmin: 'as loginPatient',
  adminSessionCreate: 'as loginPatient (the back office signing in in a browser)',
  doctorSessionCreate: 'as loginPatient (the doctor workspace signing in in a browser)',
  registerPatient: 'creates a new account',
  checkId: 'says whether a username or an email is taken (needed to register), nothing else',
  forgotPassword: 'the same answer whether the account exists or not; the link goes to the owner',
  resetPassword: 'needs the mailed single-use code',
  verifyEmail: 'needs the mailed code',
  getDoctors: 'catalogue',
  listDoctors: 'catalogue',
  getDoctor: 'catalogue',
  showDoctor: 'catalogue',
  listSpecialities: 'catalogue',
  getHospitals: 'catalogue',
  listHospitals: 'catalogue',
  getHospital: 'catalogue',
  showHospital: 'catalogue',
  getArticles: 'catalogue',
  listArticles: 'catalogue',
  getArticle: 'catalogue',
  showArticle: 'catalogue',
  listProducts: 'shop',
  getProduct: 'shop',
  listCategories: 'shop',
  listCategoryProducts: 'shop',
  getTimeList: 'free and taken slots, no one named',
  getDateList: 'counts of free slots',
  health: 'probe',
  metrics: 'process counters by route pattern (no ids, no tokens), behind METRICS_TOKEN; 404 while it is unset',
  ready: 'probe',
  sandboxPaymentPage:
    "the per-order secret of the patient's payment link is the key (matrix: a transaction id or the stored reference there is a 404)",
  sandboxPaymentComplete: 'as sandboxPaymentPage',
  sandboxPaymentFail: 'as sandboxPaymentPage',
  paymentWebhook: "the gateway's signature is the secret (matrix: an unsigned call is a 401)",
  avatarFile: 'the unguessable file name is the secret (matrix: another name is a 404)',
  imageFile: 'as avatarFile',
};

/** Values for path parameters: A's order, D1's practice and slug, K1's app. */
export function params(w: World): Record<string, string> {
  return {
    transaction_id: w.orders.declined!.transactionId,
    action: 'confirm',
    slug: w.d1.slug,
    id: String(w.fx.practiceIds['andi@jakarta']),
    app_id: w.k1.appId,
    ruleId: 'no-such-rule',
    exceptionId: 'no-such-exception',
    imageId: 'no-such-image',
    role: 'patient',
  };
}
