import { pooledRandomBytes } from '../../security/tokens.js';
import type { CreatedPayment, CreatePaymentInput, PaymentProvider } from './provider.js';

/**
 * The demo gateway: the payment page is served by the API itself at an unguessable link, where
 * the payment can be completed or failed (by a person, or by the documented HTTP call).
 * Refused outside demo mode.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly local = true;

  constructor(private readonly enabled: boolean) {}

  async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
    if (!this.enabled) throw new Error('the sandbox payment provider runs only in demo mode');
    const reference = pooledRandomBytes(24).toString('base64url');
    return { url: `${input.baseUrl}/pay/${reference}`, reference };
  }

  /** The sandbox has no webhook: its page and its HTTP call act directly. */
  parseNotification(): undefined {
    return undefined;
  }
}
