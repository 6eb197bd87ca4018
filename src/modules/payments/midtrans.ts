import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  CreatePaymentInput,
  CreatedPayment,
  PaymentNotification,
  PaymentOutcome,
  PaymentProvider,
} from './provider.js';

/**
 * Midtrans Snap (https://docs.midtrans.com): the patient pays on Midtrans's hosted page, and
 * Midtrans posts a signed HTTP notification to the API whenever the transaction's status changes.
 *
 * Written against the documented HTTP API with the platform's fetch rather than the
 * `midtrans-client` package: two calls do not need a dependency, and fetch can be injected so
 * that tests never reach the network.
 */

export const MIDTRANS_SNAP_SANDBOX_URL = 'https://app.sandbox.midtrans.com/snap/v1/transactions';
export const MIDTRANS_SNAP_PRODUCTION_URL = 'https://app.midtrans.com/snap/v1/transactions';
/** The Core API, whose status call confirms each notification. */
export const MIDTRANS_API_SANDBOX_URL = 'https://api.sandbox.midtrans.com';
export const MIDTRANS_API_PRODUCTION_URL = 'https://api.midtrans.com';

const DEFAULT_TIMEOUT_MS = 10_000;
/** Midtrans accepts order ids of at most 50 characters from this set. */
const ORDER_ID = /^[A-Za-z0-9._~-]{1,50}$/;
/** Bounds the unsigned `transaction_id` before it becomes part of a stored key. */
const GATEWAY_ID = /^[A-Za-z0-9._~-]{1,128}$/;
const STATUS_CODE = /^\d{3}$/;
const SIGNATURE = /^[0-9a-fA-F]{128}$/;
/** "150000.00", "150000": whole rupiah; a fraction other than zero is refused. */
const WHOLE_AMOUNT = /^(\d{1,15})(?:\.0{1,2})?$/;

export interface MidtransOptions {
  /** The server key from the Midtrans dashboard (sandbox keys start with `SB-Mid-server-`). */
  serverKey: string;
  isProduction: boolean;
  /** Injected in tests; the platform's fetch otherwise. */
  fetch?: typeof fetch;
  /** How long the Snap call may take, 10 s unless set. */
  timeoutMs?: number;
}

/** A failure talking to Midtrans. The message never contains the server key. */
export class MidtransError extends Error {
  constructor(
    message: string,
    /** The gateway's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MidtransError';
  }
}

/** The notification fields the signature covers, exactly as Midtrans sent them. */
export interface SignedFields {
  order_id: string;
  status_code: string;
  gross_amount: string;
}

/** `signature_key` of a notification: SHA-512 hex of order_id + status_code + gross_amount + server key. */
export function signNotification(fields: SignedFields, serverKey: string): string {
  return createHash('sha512')
    .update(fields.order_id + fields.status_code + fields.gross_amount + serverKey, 'utf8')
    .digest('hex');
}

export class MidtransProvider implements PaymentProvider {
  readonly name = 'midtrans';
  readonly endpoint: string;
  readonly apiBase: string;
  // Private fields: they do not show when the provider is logged, inspected or serialised.
  readonly #serverKey: string;
  readonly #authorization: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: MidtransOptions) {
    if (typeof options.serverKey !== 'string' || options.serverKey.trim() === '') {
      throw new Error('Midtrans needs a server key');
    }
    this.#serverKey = options.serverKey.trim();
    this.#authorization = `Basic ${Buffer.from(`${this.#serverKey}:`, 'utf8').toString('base64')}`;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.endpoint = options.isProduction ? MIDTRANS_SNAP_PRODUCTION_URL : MIDTRANS_SNAP_SANDBOX_URL;
    this.apiBase = options.isProduction ? MIDTRANS_API_PRODUCTION_URL : MIDTRANS_API_SANDBOX_URL;
  }

  /**
   * Creates a Snap transaction whose order id is the order's `transaction_id`, payable until
   * `expiresAt`. The expiry is sent as a whole number of minutes counted by Midtrans from the
   * transaction's creation (no `start_time`, so a skew between our clock and Midtrans's cannot
   * shift it), rounded down so the page never outlives the order's own expiry; at least 1.
   */
  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    if (!ORDER_ID.test(input.transactionId)) {
      throw new MidtransError('Midtrans order ids are 1 to 50 characters of letters, digits and - _ . ~');
    }
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
      throw new MidtransError(`Midtrans needs a positive whole rupiah amount (got ${String(input.amount)})`);
    }
    const remainingMs = input.expiresAt - input.now;
    if (!Number.isFinite(remainingMs) || remainingMs <= 0) {
      throw new MidtransError('The payment would already be expired');
    }
    const body = {
      transaction_details: { order_id: input.transactionId, gross_amount: input.amount },
      customer_details: { first_name: input.customer.name.slice(0, 255), email: input.customer.email },
      expiry: { unit: 'minute', duration: Math.max(1, Math.floor(remainingMs / 60_000)) },
    };

    const { response, json } = await this.#call('Snap', this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const detail = gatewayMessages(json);
      throw new MidtransError(
        `Midtrans Snap answered HTTP ${response.status}${detail === '' ? '' : `: ${this.#redact(detail)}`}`,
        response.status,
      );
    }
    if (!isRecord(json)) {
      throw new MidtransError(`Midtrans Snap answered HTTP ${response.status} with a body that is not JSON`);
    }
    const { token, redirect_url: redirectUrl } = json;
    if (typeof token !== 'string' || token === '' || typeof redirectUrl !== 'string' || !isHttpsUrl(redirectUrl)) {
      throw new MidtransError('Midtrans Snap answered without a token and an https redirect_url');
    }
    return { url: redirectUrl, reference: token };
  }

  /**
   * Reads a Midtrans HTTP notification. Midtrans signs only order_id, status_code and
   * gross_amount, so the status must agree with the status code where that matters: a payment
   * counts as paid only with status code 200 (a pending or challenged one carries 201), so a
   * signed pending notification cannot be replayed with its status changed to settlement.
   * Headers carry nothing signed and are not read.
   */
  parseNotification(
    _headers: Record<string, string | string[] | undefined>,
    body: unknown,
  ): PaymentNotification | undefined {
    if (!isRecord(body)) return undefined;
    const orderId = body.order_id;
    const statusCode = body.status_code;
    const grossAmount = body.gross_amount;
    const signature = body.signature_key;
    const status = body.transaction_status;
    const gatewayId = body.transaction_id;
    const fraud = body.fraud_status;
    if (
      typeof orderId !== 'string' ||
      !ORDER_ID.test(orderId) ||
      typeof statusCode !== 'string' ||
      !STATUS_CODE.test(statusCode) ||
      typeof grossAmount !== 'string' ||
      typeof signature !== 'string' ||
      typeof status !== 'string' ||
      typeof gatewayId !== 'string' ||
      !GATEWAY_ID.test(gatewayId) ||
      (fraud !== undefined && fraud !== null && typeof fraud !== 'string')
    ) {
      return undefined;
    }
    if (!this.#signatureMatches({ order_id: orderId, status_code: statusCode, gross_amount: grossAmount }, signature)) {
      return undefined;
    }
    const amount = wholeRupiah(grossAmount);
    if (amount === undefined) return undefined;
    const outcome = outcomeOf(status, fraud ?? undefined, statusCode);
    if (outcome === undefined) return undefined;
    return { transactionId: orderId, outcome, amount, key: `${gatewayId}:${status}:${statusCode}` };
  }

  /**
   * Midtrans signs a notification's order, status code and amount, not its status: a signed
   * notification could be replayed with another status. So a notification is only taken as news
   * that the transaction changed, and the status call (GET /v2/{order_id}/status, authenticated
   * with the server key over TLS) says what it is now.
   */
  async confirm(notification: PaymentNotification): Promise<PaymentNotification | undefined> {
    const url = `${this.apiBase}/v2/${encodeURIComponent(notification.transactionId)}/status`;
    const { response, json } = await this.#call('status', url, { method: 'GET' });
    // Midtrans answers an unknown transaction with status_code "404", sometimes over HTTP 200.
    if (response.status === 404 || (isRecord(json) && json.status_code === '404')) return undefined;
    if (!response.ok || !isRecord(json)) {
      throw new MidtransError(`Midtrans status request answered HTTP ${response.status}`, response.status);
    }
    const { order_id: orderId, status_code: statusCode, gross_amount: grossAmount } = json;
    const { transaction_status: status, transaction_id: gatewayId, fraud_status: fraud } = json;
    if (
      orderId !== notification.transactionId ||
      typeof statusCode !== 'string' ||
      typeof grossAmount !== 'string' ||
      typeof status !== 'string' ||
      typeof gatewayId !== 'string' ||
      !GATEWAY_ID.test(gatewayId) ||
      (fraud !== undefined && fraud !== null && typeof fraud !== 'string')
    ) {
      throw new MidtransError('Midtrans status request answered without the fields of a transaction');
    }
    const amount = wholeRupiah(grossAmount);
    const outcome = outcomeOf(status, fraud ?? undefined, statusCode);
    if (amount === undefined || outcome === undefined) return undefined;
    return { transactionId: orderId, outcome, amount, key: `${gatewayId}:${status}:${statusCode}` };
  }

  /** One authenticated call to Midtrans, bounded in time; its body read as JSON when it is JSON. */
  async #call(what: string, url: string, init: RequestInit): Promise<{ response: Response; json: unknown }> {
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        ...init,
        headers: { accept: 'application/json', authorization: this.#authorization, ...init.headers },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      const reason =
        name === 'TimeoutError' || name === 'AbortError'
          ? `no answer within ${this.#timeoutMs} ms`
          : this.#redact(err instanceof Error ? err.message : String(err));
      throw new MidtransError(`Midtrans ${what} request failed: ${reason}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { response, json };
  }

  #signatureMatches(fields: SignedFields, given: string): boolean {
    if (!SIGNATURE.test(given)) return false;
    const expected = Buffer.from(signNotification(fields, this.#serverKey), 'hex');
    const actual = Buffer.from(given, 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /** Removes the server key (and its Basic form) from text that may end up in a log. */
  #redact(text: string): string {
    const basic = this.#authorization.slice('Basic '.length);
    return text.split(this.#serverKey).join('[redacted]').split(basic).join('[redacted]').slice(0, 500);
  }
}

/** Midtrans transaction status (with fraud status and status code) to what it means for an order. */
function outcomeOf(status: string, fraud: string | undefined, statusCode: string): PaymentOutcome | undefined {
  switch (status) {
    case 'settlement':
      return statusCode === '200' ? 'paid' : undefined;
    case 'capture':
      if (fraud === undefined || fraud === 'accept') return statusCode === '200' ? 'paid' : undefined;
      if (fraud === 'challenge') return 'pending';
      if (fraud === 'deny') return 'failed';
      return undefined;
    case 'pending':
      return 'pending';
    case 'deny':
    case 'cancel':
    case 'expire':
    case 'failure':
      return 'failed';
    case 'refund':
    case 'partial_refund':
      return 'refunded';
    default:
      return undefined;
  }
}

function wholeRupiah(grossAmount: string): number | undefined {
  const m = WHOLE_AMOUNT.exec(grossAmount);
  if (!m) return undefined;
  const amount = Number(m[1]);
  return Number.isSafeInteger(amount) ? amount : undefined;
}

/** `error_messages` (or `status_message`) of a Midtrans error body, bounded. */
function gatewayMessages(json: unknown): string {
  if (!isRecord(json)) return '';
  const messages = json.error_messages;
  if (Array.isArray(messages)) {
    return messages
      .filter((m): m is string => typeof m === 'string')
      .join('; ')
      .slice(0, 500);
  }
  return typeof json.status_message === 'string' ? json.status_message.slice(0, 500) : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
