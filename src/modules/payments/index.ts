// The payments module's public face: other modules import only this file (eslint holds it).

export { MidtransProvider } from './midtrans.js';
export type { PaymentNotification, PaymentOutcome, PaymentProvider } from './provider.js';
export { SandboxProvider, sandboxReference } from './sandbox.js';
