import type { Generated } from 'kysely';

/** Timestamps are epoch milliseconds (bigint on PostgreSQL, integer on SQLite): portable and exact. */
type Millis = number;

export interface ClientAppsTable {
  id: string;
  name: string;
  /** JSON array of hospital slugs the app is limited to; null means every hospital. */
  hospital_scope: string | null;
  created_at: Millis;
  revoked_at: Millis | null;
}

export interface ApiKeysTable {
  id: string;
  app_id: string;
  key_hash: string;
  key_prefix: string;
  created_at: Millis;
  /** Set when the key is rotated out: it keeps working until then. */
  expires_at: Millis | null;
  revoked_at: Millis | null;
}

export interface UsersTable {
  id: string;
  role: string;
  name: string;
  username: string;
  username_normalized: string;
  email: string;
  email_normalized: string;
  password_hash: string;
  address: string | null;
  gender: string | null;
  phone_number: string | null;
  date_of_birth: string | null;
  place_of_birth: string | null;
  id_type: string | null;
  /** AES-256-GCM ciphertext of the identity number, tagged with its key id. */
  id_number_enc: string | null;
  id_number_masked: string | null;
  /** HMAC of the normalised number: enforces one document per account without decrypting. */
  id_number_hmac: string | null;
  avatar_image_id: string | null;
  created_at: Millis;
  updated_at: Millis;
  /** Set when the patient erased the account: the row stays, anonymised, for the orders kept. */
  erased_at: Millis | null;
  /** Admins only: 'operator' (everything) or 'hospital_admin' (the hospitals of admin_hospitals). */
  admin_role: string | null;
  /** A disabled account signs in nowhere and its tokens are refused. */
  disabled_at: Millis | null;
}

/** The hospitals a hospital admin runs. */
export interface AdminHospitalsTable {
  user_id: string;
  hospital_id: string;
}

export interface AccessTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  app_id: string;
  created_at: Millis;
  expires_at: Millis;
  revoked_at: Millis | null;
}

export interface LoginFailuresTable {
  id: string;
  /** The account id, or "unknown:<hash of the login name>" so unknown names lock out alike. */
  subject: string;
  ip: string;
  created_at: Millis;
}

export interface KnownAddressesTable {
  user_id: string;
  ip: string;
  last_success_at: Millis;
}

export interface ImagesTable {
  id: string;
  owner_user_id: string | null;
  content_type: string;
  bytes: Buffer;
  width: number;
  height: number;
  created_at: Millis;
}

export interface ObgynProfilesTable {
  user_id: string;
  suami: string;
  faskes1: string | null;
  faskes_rujukan: string | null;
  pendidikan: string | null;
  pekerjaan: string | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface SpecialitiesTable {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  unpublished_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface HospitalsTable {
  id: string;
  slug: string;
  name: string;
  address: string | null;
  city: string;
  province: string | null;
  /** Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT). */
  timezone: string;
  phone: string | null;
  description: string | null;
  image_id: string | null;
  /** 1 when its doctors may mark their own leave in the doctor workspace (0: the hospital plans it). */
  doctor_leave_allowed: Generated<number>;
  unpublished_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface DoctorsTable {
  id: string;
  slug: string;
  /** What bookings send as `username_doctor`. */
  username: string;
  name: string;
  name_search: string;
  speciality_id: string;
  about: string | null;
  experience_years: number;
  image_id: string | null;
  /** The doctor's login account, once it has one. */
  user_id: string | null;
  unpublished_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

/** A doctor at a hospital: the contract's `doctor_has_hospital_id`. */
export interface PracticesTable {
  id: Generated<number>;
  doctor_id: string;
  hospital_id: string;
  call_price: number | null;
  reservasi_price: number | null;
  unpublished_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface ArticlesTable {
  id: string;
  slug: string;
  title: string;
  excerpt: string | null;
  body_html: string;
  author: string | null;
  image_id: string | null;
  published_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface ProductCategoriesTable {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  unpublished_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface ProductsTable {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  price: number;
  stock: number;
  category_id: string;
  image_ids: string;
  unpublished_at: Millis | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface AuditLogTable {
  id: string;
  actor_user_id: string;
  action: string;
  entity: string;
  entity_id: string;
  before_json: string | null;
  after_json: string | null;
  created_at: Millis;
}

export interface CacheVersionsTable {
  name: string;
  version: number;
}

export interface ScheduleRulesTable {
  id: string;
  practice_id: number;
  /** ISO weekday: 1 Monday ... 7 Sunday. */
  weekday: number;
  start_time: string;
  end_time: string;
  slot_minutes: number;
  appointment_type: 'call' | 'reservasi';
  created_at: Millis;
  updated_at: Millis;
}

export interface ScheduleExceptionsTable {
  id: string;
  practice_id: number;
  date: string;
  kind: 'leave' | 'extra';
  start_time: string | null;
  end_time: string | null;
  slot_minutes: number | null;
  appointment_type: 'call' | 'reservasi' | null;
  /** The doctor's account when the doctor marked it in the workspace; null from the back office. */
  created_by: string | null;
  created_at: Millis;
}

export interface OrdersTable {
  id: string;
  transaction_id: string;
  patient_user_id: string;
  app_id: string;
  practice_id: number;
  doctor_id: string;
  hospital_id: string;
  type: 'call' | 'reservasi';
  patient_name: string;
  note: string | null;
  price: number;
  status: string;
  start_at: Millis;
  end_at: Millis;
  timezone: string;
  proposed_start_at: Millis | null;
  proposed_end_at: Millis | null;
  proposed_at: Millis | null;
  status_before_proposal: string | null;
  payment_provider: string | null;
  payment_ref: string | null;
  payment_url: string | null;
  expires_at: Millis | null;
  paid_at: Millis | null;
  refund_due: number;
  refunded_at: Millis | null;
  meeting_url: string | null;
  /** 1 when the patient let the doctor read their records (consent), else 0. */
  allow_access_data: number;
  /** Why the doctor declined: the patient reads it. */
  decline_reason: string | null;
  /** The doctor's note of a finished consultation: the patient reads it. */
  consultation_note: string | null;
  /** ICD-10 codes of the doctor's diagnosis, a JSON array (text on both engines). */
  diagnosis_codes: string | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface SlotHoldsTable {
  id: string;
  order_id: string;
  doctor_id: string;
  start_at: Millis;
  end_at: Millis;
  kind: 'booking' | 'proposal';
  created_at: Millis;
}

export interface OrderEventsTable {
  id: string;
  order_id: string;
  from_status: string | null;
  to_status: string;
  action: string;
  actor: string;
  created_at: Millis;
}

export interface IdempotencyKeysTable {
  app_id: string;
  user_id: string;
  key: string;
  request_hash: string;
  order_id: string;
  created_at: Millis;
}

export interface PaymentNotificationsTable {
  id: string;
  provider: string;
  notification_key: string;
  order_id: string | null;
  outcome: string;
  created_at: Millis;
}

export interface RecoverySecretsTable {
  id: string;
  user_id: string;
  purpose: 'password_reset' | 'email_verification';
  /** SHA-256 of the secret sent by email; the secret itself is never stored. */
  secret_hash: string;
  email_normalized: string;
  created_at: Millis;
  expires_at: Millis;
  used_at: Millis | null;
}

/** The address an account proved it owns (by a verification link or a password reset). */
export interface VerifiedEmailsTable {
  user_id: string;
  email_normalized: string;
  verified_at: Millis;
}

export interface RecoveryRequestsTable {
  id: string;
  kind: 'forgot' | 'resend';
  subject: string;
  created_at: Millis;
}

/** One read of a patient's personal data by a doctor or an admin. */
export interface AccessLogTable {
  id: string;
  patient_user_id: string;
  actor_user_id: string;
  actor_role: string;
  what: string;
  subject: string | null;
  created_at: Millis;
}

/** Order events waiting to be fanned out (inboxes, email, webhooks); written with the change. */
export interface NotificationOutboxTable {
  id: string;
  event_key: string;
  order_id: string;
  kind: string;
  actor: string;
  payload: string;
  created_at: Millis;
  processed_at: Millis | null;
  lease_until: Millis | null;
  lease_owner: string | null;
  attempts: number;
}

/** A patient's or a doctor's inbox. */
export interface NotificationsTable {
  id: string;
  user_id: string;
  event_key: string;
  order_id: string;
  kind: string;
  payload: string;
  created_at: Millis;
  read_at: Millis | null;
}

/** A client app's webhook; the secret encrypted (identity keys), bound to the webhook's id. */
export interface WebhooksTable {
  id: string;
  app_id: string;
  url: string;
  secret_enc: string;
  created_at: Millis;
  disabled_at: Millis | null;
}

/** One email or webhook call of one event, with its attempts. */
export interface NotificationDeliveriesTable {
  id: string;
  event_key: string;
  channel: string;
  target: string;
  app_id: string | null;
  order_id: string;
  kind: string;
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: Millis;
  lease_until: Millis | null;
  lease_owner: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: Millis;
  updated_at: Millis;
  delivered_at: Millis | null;
}

export interface OrderRemindersTable {
  order_id: string;
  start_at: Millis;
  created_at: Millis;
}

export interface Database {
  client_apps: ClientAppsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  admin_hospitals: AdminHospitalsTable;
  access_tokens: AccessTokensTable;
  login_failures: LoginFailuresTable;
  known_addresses: KnownAddressesTable;
  images: ImagesTable;
  obgyn_profiles: ObgynProfilesTable;
  specialities: SpecialitiesTable;
  hospitals: HospitalsTable;
  doctors: DoctorsTable;
  practices: PracticesTable;
  articles: ArticlesTable;
  product_categories: ProductCategoriesTable;
  products: ProductsTable;
  audit_log: AuditLogTable;
  cache_versions: CacheVersionsTable;
  schedule_rules: ScheduleRulesTable;
  schedule_exceptions: ScheduleExceptionsTable;
  orders: OrdersTable;
  slot_holds: SlotHoldsTable;
  order_events: OrderEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  payment_notifications: PaymentNotificationsTable;
  recovery_secrets: RecoverySecretsTable;
  verified_emails: VerifiedEmailsTable;
  recovery_requests: RecoveryRequestsTable;
  notification_outbox: NotificationOutboxTable;
  notifications: NotificationsTable;
  webhooks: WebhooksTable;
  notification_deliveries: NotificationDeliveriesTable;
  order_reminders: OrderRemindersTable;
  access_log: AccessLogTable;
}
