/**
 * A payment gateway, as the order lifecycle sees it: create a payment for an order, and turn
 * the gateway's (signed) notifications into outcomes. The embedded default is the sandbox
 * provider; a real Indonesian gateway (Midtrans Snap) implements the same interface.
 */
export interface CreatePaymentInput {
  orderId: string;
  transactionId: string;
  /** Whole rupiah. */
  amount: number;
  expiresAt: number;
  /** The moment of the booking, from the app's clock: the provider keeps no clock of its own. */
  now: number;
  customer: { name: string; email: string };
  /** The API's own public origin, for pages the provider serves from the API (the sandbox). */
  baseUrl: string;
}

export interface CreatedPayment {
  /** Where the patient pays: `payment_url` of the order. */
  url: string;
  /** The provider's reference for the payment. */
  reference: string;
}

/** What a notification means for an order. */
export type PaymentOutcome = 'paid' | 'failed' | 'pending' | 'refunded';

export interface PaymentNotification {
  /** The order's `transaction_id`. */
  transactionId: string;
  outcome: PaymentOutcome;
  /** Amount the gateway reports, whole rupiah. */
  amount: number;
  /** The provider's own id of this notification, so repeats are recognised. */
  key: string;
}

export interface PaymentProvider {
  readonly name: string;
  /**
   * True when createPayment calls no one outside this process (the sandbox): a booking then
   * creates the payment before it writes the order, in the same transaction.
   */
  readonly local?: boolean;
  createPayment(input: CreatePaymentInput): Promise<CreatedPayment>;
  /**
   * Checks a webhook's signature and reads it. Returns undefined when the signature or the
   * body is not valid: such a notification changes nothing.
   */
  parseNotification(
    headers: Record<string, string | string[] | undefined>,
    body: unknown,
  ): PaymentNotification | undefined;
  /**
   * Asks the gateway itself what a verified notification claims, and answers with what the
   * gateway says now (undefined: it does not know the transaction). Throws when the gateway
   * cannot be asked; the webhook then answers 503 so that the gateway sends it again.
   */
  confirm?(notification: PaymentNotification): Promise<PaymentNotification | undefined>;
}
