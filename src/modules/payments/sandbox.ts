import { createHash } from 'node:crypto';
import { pooledRandomBytes } from '../../security/tokens.js';
import type { CreatedPayment, CreatePaymentInput, PaymentProvider } from './provider.js';

/**
 * The reference the sandbox keeps for a link's secret: its SHA-256. The secret itself is only
 * in the link the patient's views show; what is stored (and shown to the back office as
 * `payment_ref`) cannot be turned back into a link.
 */
export const sandboxReference = (secret: string): string =>
  createHash('sha256').update(secret, 'utf8').digest('base64url');

/**
 * The demo gateway: the payment page is served by the API itself at a link holding a per-order
 * secret (256 random bits), where the payment can be completed or failed (by a person, or by
 * the documented HTTP call). Refused outside demo mode.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly local = true;

  constructor(private readonly enabled: boolean) {}

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    if (!this.enabled) throw new Error('the sandbox payment provider runs only in demo mode');
    const secret = pooledRandomBytes(32).toString('base64url');
    return { url: `${input.baseUrl}/pay/${secret}`, reference: sandboxReference(secret) };
  }

  /** The sandbox has no webhook: its page and its HTTP call act directly. */
  parseNotification(): undefined {
    return undefined;
  }
}
