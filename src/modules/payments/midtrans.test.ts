import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  MIDTRANS_SNAP_PRODUCTION_URL,
  MIDTRANS_SNAP_SANDBOX_URL,
  MidtransError,
  MidtransProvider,
  signNotification,
} from './midtrans.js';
import type { CreatePaymentInput } from './provider.js';

// A made-up key in the sandbox format: these tests never reach Midtrans.
const SERVER_KEY = 'SB-Mid-server-TEST-0000000000';
const NOW = Date.UTC(2026, 4, 20, 3, 0, 0);

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records its calls and answers with `answer` (a Response, or a thrown error). */
function fakeFetch(answer: (call: Call) => Response | Promise<Response>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return answer(call);
  };
  return { fetch: fn as typeof fetch, calls };
}

const snapAnswer = () =>
  new Response(
    JSON.stringify({
      token: '66e4fa55-fdac-4ef9-91b5-733b97d1b862',
      redirect_url: 'https://app.sandbox.midtrans.com/snap/v4/redirection/66e4fa55-fdac-4ef9-91b5-733b97d1b862',
    }),
    { status: 201, headers: { 'content-type': 'application/json' } },
  );

const paymentInput = (overrides: Partial<CreatePaymentInput> = {}): CreatePaymentInput => ({
  orderId: 'order-1',
  transactionId: 'CXP-20260520-0001',
  amount: 150000,
  expiresAt: NOW + 45 * 60_000 + 30_000,
  now: NOW,
  customer: { name: 'Siti Rahayu', email: 'siti@example.id' },
  baseUrl: 'https://api.example.id',
  ...overrides,
});

function provider(answer: (call: Call) => Response | Promise<Response> = snapAnswer, extra = {}) {
  const fake = fakeFetch(answer);
  const p = new MidtransProvider({
    serverKey: SERVER_KEY,
    isProduction: false,
    fetch: fake.fetch,
    ...extra,
  });
  return { p, calls: fake.calls };
}

/** Asserts a MidtransError whose message says `expected` and never shows the key. */
const gatewayError = (expected: RegExp) => (err: unknown) => {
  assert.ok(err instanceof MidtransError, `not a MidtransError: ${String(err)}`);
  assert.match(err.message, expected);
  assert.ok(!err.message.includes(SERVER_KEY), `key leaked: ${err.message}`);
  assert.ok(!err.message.includes(Buffer.from(`${SERVER_KEY}:`).toString('base64')), 'Basic credentials leaked');
  return true;
};

describe('MidtransProvider.createPayment', () => {
  test('POSTs the order to Snap with Basic auth and returns redirect_url and token', async () => {
    const { p, calls } = provider();
    const created = await p.createPayment(paymentInput());

    assert.deepEqual(created, {
      url: 'https://app.sandbox.midtrans.com/snap/v4/redirection/66e4fa55-fdac-4ef9-91b5-733b97d1b862',
      reference: '66e4fa55-fdac-4ef9-91b5-733b97d1b862',
    });
    assert.equal(calls.length, 1);
    const { url, init } = calls[0]!;
    assert.equal(url, MIDTRANS_SNAP_SANDBOX_URL);
    assert.equal(init.method, 'POST');
    const headers = new Headers(init.headers);
    // The server key is the user name, the password is empty.
    assert.equal(headers.get('authorization'), `Basic ${Buffer.from(`${SERVER_KEY}:`).toString('base64')}`);
    assert.equal(headers.get('content-type'), 'application/json');
    assert.equal(headers.get('accept'), 'application/json');
    assert.ok(init.signal instanceof AbortSignal, 'the call has a timeout signal');
    assert.deepEqual(JSON.parse(String(init.body)), {
      transaction_details: { order_id: 'CXP-20260520-0001', gross_amount: 150000 },
      customer_details: { first_name: 'Siti Rahayu', email: 'siti@example.id' },
      // 45.5 minutes left: rounded down, so the page never outlives the order's expiry.
      expiry: { unit: 'minute', duration: 45 },
    });
  });

  test('uses the production endpoint when isProduction is set', async () => {
    const fake = fakeFetch(snapAnswer);
    const p = new MidtransProvider({ serverKey: SERVER_KEY, isProduction: true, fetch: fake.fetch });
    await p.createPayment(paymentInput());
    assert.equal(fake.calls[0]!.url, MIDTRANS_SNAP_PRODUCTION_URL);
    assert.equal(p.endpoint, 'https://app.midtrans.com/snap/v1/transactions');
    assert.equal(provider().p.endpoint, 'https://app.sandbox.midtrans.com/snap/v1/transactions');
  });

  test('expiry: 60 minutes exactly, and at least one minute', async () => {
    const { p, calls } = provider();
    await p.createPayment(paymentInput({ expiresAt: NOW + 60 * 60_000 }));
    await p.createPayment(paymentInput({ expiresAt: NOW + 20_000 }));
    assert.deepEqual(
      calls.map((c) => JSON.parse(String(c.init.body)).expiry),
      [
        { unit: 'minute', duration: 60 },
        { unit: 'minute', duration: 1 },
      ],
    );
  });

  test('refuses what Midtrans would refuse without calling it', async () => {
    const { p, calls } = provider();
    await assert.rejects(p.createPayment(paymentInput({ expiresAt: NOW })), gatewayError(/already be expired/));
    await assert.rejects(p.createPayment(paymentInput({ amount: 0 })), gatewayError(/positive whole rupiah/));
    await assert.rejects(p.createPayment(paymentInput({ amount: 1500.5 })), gatewayError(/positive whole rupiah/));
    await assert.rejects(p.createPayment(paymentInput({ transactionId: 'x'.repeat(51) })), gatewayError(/order ids/));
    await assert.rejects(p.createPayment(paymentInput({ transactionId: 'a b' })), gatewayError(/order ids/));
    assert.equal(calls.length, 0);
  });

  test('a non-2xx answer throws with the status and the gateway message, never the key', async () => {
    // Even if a gateway (or a proxy) echoed the credentials, they stay out of the message.
    const { p } = provider(
      () =>
        new Response(
          JSON.stringify({
            error_messages: [
              'Access denied due to unauthorized transaction, please check client or server key',
              `key was ${SERVER_KEY}`,
            ],
          }),
          { status: 401 },
        ),
    );
    await assert.rejects(p.createPayment(paymentInput()), (err) => {
      gatewayError(/HTTP 401: Access denied.*key was \[redacted\]/)(err);
      assert.equal((err as MidtransError).status, 401);
      return true;
    });
  });

  test('an HTML error page, bad JSON or a body without token throws', async () => {
    const html = provider(() => new Response('<html>502 Bad Gateway</html>', { status: 502 })).p;
    await assert.rejects(html.createPayment(paymentInput()), gatewayError(/^Midtrans Snap answered HTTP 502$/));

    const badJson = provider(() => new Response('{"token": ', { status: 201 })).p;
    await assert.rejects(badJson.createPayment(paymentInput()), gatewayError(/not JSON/));

    const noToken = provider(
      () => new Response(JSON.stringify({ redirect_url: 'https://x.example' }), { status: 201 }),
    ).p;
    await assert.rejects(noToken.createPayment(paymentInput()), gatewayError(/without a token/));

    const httpUrl = provider(
      () => new Response(JSON.stringify({ token: 't', redirect_url: 'http://insecure.example/pay' }), { status: 201 }),
    ).p;
    await assert.rejects(httpUrl.createPayment(paymentInput()), gatewayError(/https redirect_url/));
  });

  test('a network failure throws without the key', async () => {
    const { p } = provider(() => {
      throw new TypeError(`fetch failed (${SERVER_KEY})`);
    });
    await assert.rejects(
      p.createPayment(paymentInput()),
      gatewayError(/request failed: fetch failed \(\[redacted\]\)/),
    );
  });

  test('a gateway that does not answer in time is abandoned', async () => {
    const { p } = provider(
      (call) =>
        new Promise<Response>((_resolve, reject) => {
          const signal = call.init.signal!;
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
      { timeoutMs: 20 },
    );
    // AbortSignal.timeout does not hold the event loop open (a real request's socket does).
    const keepAlive = setTimeout(() => undefined, 5_000);
    try {
      await assert.rejects(p.createPayment(paymentInput()), gatewayError(/no answer within 20 ms/));
    } finally {
      clearTimeout(keepAlive);
    }
  });

  test('needs a server key, and never shows it', () => {
    assert.throws(() => new MidtransProvider({ serverKey: ' ', isProduction: false }), /server key/);
    const { p } = provider();
    assert.ok(!JSON.stringify(p).includes(SERVER_KEY));
    assert.ok(!inspect(p, { showHidden: true, depth: 5 }).includes(SERVER_KEY));
  });
});

/** A notification as Midtrans posts it, signed with `key` unless a signature is given. */
function notification(fields: Record<string, unknown> = {}, key = SERVER_KEY): Record<string, unknown> {
  const body: Record<string, unknown> = {
    transaction_time: '2026-05-20 10:05:11',
    transaction_status: 'settlement',
    transaction_id: '513f1f01-c9da-474c-9fc9-d5c64364b709',
    status_message: 'midtrans payment notification',
    status_code: '200',
    payment_type: 'bank_transfer',
    order_id: 'CXP-20260520-0001',
    merchant_id: 'G000000000',
    gross_amount: '150000.00',
    fraud_status: 'accept',
    currency: 'IDR',
    ...fields,
  };
  if (!('signature_key' in fields)) {
    body.signature_key = signNotification(
      {
        order_id: String(body.order_id),
        status_code: String(body.status_code),
        gross_amount: String(body.gross_amount),
      },
      key,
    );
  }
  return body;
}

describe('signNotification', () => {
  test('is SHA-512 hex of order_id + status_code + gross_amount + server key', () => {
    // Computed outside Node: printf '%s' 'CXP-0001200150000.00SB-Mid-server-TEST-0000000000' | sha512sum
    assert.equal(
      signNotification({ order_id: 'CXP-0001', status_code: '200', gross_amount: '150000.00' }, SERVER_KEY),
      '7892945db408e47e2537018a27f03d7f7d512349f652c6c60f17ce58daf10ec449f051e205a1ffaee7deaeafdade46dce832b55d535b3892b4bf10a8df573f1f',
    );
  });
});

describe('MidtransProvider.parseNotification', () => {
  const { p } = provider();
  const parse = (body: unknown) => p.parseNotification({ 'content-type': 'application/json' }, body);

  const cases: [string, Record<string, unknown>, string | undefined][] = [
    ['settlement', { transaction_status: 'settlement', status_code: '200' }, 'paid'],
    ['settlement without fraud status', { transaction_status: 'settlement', fraud_status: undefined }, 'paid'],
    ['card capture, accepted', { transaction_status: 'capture', fraud_status: 'accept', status_code: '200' }, 'paid'],
    ['card capture, no fraud status', { transaction_status: 'capture', fraud_status: undefined }, 'paid'],
    [
      'card capture, challenged',
      { transaction_status: 'capture', fraud_status: 'challenge', status_code: '201' },
      'pending',
    ],
    [
      'card capture, denied by FDS',
      { transaction_status: 'capture', fraud_status: 'deny', status_code: '202' },
      'failed',
    ],
    ['pending', { transaction_status: 'pending', status_code: '201', fraud_status: undefined }, 'pending'],
    ['deny', { transaction_status: 'deny', status_code: '202', fraud_status: 'deny' }, 'failed'],
    ['cancel', { transaction_status: 'cancel', status_code: '200' }, 'failed'],
    ['expire', { transaction_status: 'expire', status_code: '202', fraud_status: undefined }, 'failed'],
    ['failure', { transaction_status: 'failure', status_code: '202' }, 'failed'],
    ['refund', { transaction_status: 'refund', status_code: '200' }, 'refunded'],
    ['partial_refund', { transaction_status: 'partial_refund', status_code: '200' }, 'refunded'],
    ['an unknown status', { transaction_status: 'authorize', status_code: '200' }, undefined],
    ['capture with an unknown fraud status', { transaction_status: 'capture', fraud_status: 'maybe' }, undefined],
  ];
  for (const [name, fields, outcome] of cases) {
    test(`maps ${name} to ${outcome ?? 'nothing'}`, () => {
      const parsed = parse(notification(fields));
      if (outcome === undefined) {
        assert.equal(parsed, undefined);
        return;
      }
      assert.deepEqual(parsed, {
        transactionId: 'CXP-20260520-0001',
        outcome,
        amount: 150000,
        key: `513f1f01-c9da-474c-9fc9-d5c64364b709:${String(fields.transaction_status)}:${String(fields.status_code ?? '200')}`,
      });
    });
  }

  test('reads the amount as whole rupiah', () => {
    assert.equal(parse(notification({ gross_amount: '150000' }))?.amount, 150000);
    assert.equal(parse(notification({ gross_amount: '2500000.00' }))?.amount, 2500000);
    // Correctly signed, but not whole rupiah: refused.
    assert.equal(parse(notification({ gross_amount: '150000.50' })), undefined);
    assert.equal(parse(notification({ gross_amount: '-150000.00' })), undefined);
    assert.equal(parse(notification({ gross_amount: '1.5e5' })), undefined);
    assert.equal(parse(notification({ gross_amount: '' })), undefined);
  });

  test('refuses a tampered amount', () => {
    const body = notification();
    assert.ok(parse(body));
    assert.equal(parse({ ...body, gross_amount: '1500.00' }), undefined);
    assert.equal(parse({ ...body, gross_amount: 150000 }), undefined);
  });

  test('refuses a tampered order id or status code', () => {
    const body = notification();
    assert.equal(parse({ ...body, order_id: 'CXP-20260520-0002' }), undefined);
    assert.equal(parse({ ...body, status_code: '201' }), undefined);
  });

  test('refuses a notification signed with another key', () => {
    assert.equal(parse(notification({}, 'SB-Mid-server-SOMEONE-ELSE')), undefined);
    assert.equal(parse(notification({}, '')), undefined);
  });

  test('refuses a missing or malformed signature', () => {
    const body = notification();
    const sig = String(body.signature_key);
    assert.equal(parse({ ...body, signature_key: undefined }), undefined);
    assert.equal(parse({ ...body, signature_key: '' }), undefined);
    assert.equal(parse({ ...body, signature_key: sig.slice(0, 64) }), undefined);
    assert.equal(parse({ ...body, signature_key: `${sig}00` }), undefined);
    assert.equal(parse({ ...body, signature_key: `${sig.slice(0, 127)}g` }), undefined);
    assert.equal(parse({ ...body, signature_key: sig.toUpperCase() })?.outcome, 'paid');
  });

  test('refuses a body that is not a notification object', () => {
    for (const body of [undefined, null, 'settlement', 42, [notification()], JSON.stringify(notification())]) {
      assert.equal(parse(body), undefined, `accepted ${JSON.stringify(body)}`);
    }
    assert.equal(parse(notification({ transaction_id: undefined })), undefined);
    assert.equal(parse(notification({ transaction_id: 'x'.repeat(200) })), undefined);
    assert.equal(parse(notification({ transaction_status: 7 })), undefined);
    assert.equal(parse(notification({ fraud_status: 1 })), undefined);
    assert.equal(parse(notification({ status_code: 200 })), undefined);
    assert.equal(parse(notification({ order_id: '' })), undefined);
  });

  test('the signature does not cover the status, so paid needs the status code of a payment', () => {
    // A signed pending (201) notification replayed with its status changed is not a payment.
    const pending = notification({ transaction_status: 'pending', status_code: '201', fraud_status: undefined });
    assert.equal(parse(pending)?.outcome, 'pending');
    assert.equal(parse({ ...pending, transaction_status: 'settlement' }), undefined);
    assert.equal(parse({ ...pending, transaction_status: 'capture', fraud_status: 'accept' }), undefined);
    const challenged = notification({ transaction_status: 'capture', fraud_status: 'challenge', status_code: '201' });
    assert.equal(parse({ ...challenged, fraud_status: 'accept' }), undefined);
  });

  test('a repeated notification has the same key; each change of status a new one', () => {
    const pending = notification({ transaction_status: 'pending', status_code: '201' });
    const settled = notification({ transaction_status: 'settlement', status_code: '200' });
    const first = parse(pending)!;
    const repeat = parse(structuredClone(pending))!;
    assert.equal(first.key, repeat.key);
    assert.deepEqual(first, repeat);
    // Out of order (the settlement before the pending) still gives each its own key and outcome:
    // the order's state machine decides that a late pending changes nothing.
    const paid = parse(settled)!;
    assert.notEqual(paid.key, first.key);
    assert.equal(paid.outcome, 'paid');
    assert.equal(parse(pending)!.outcome, 'pending');
    // Headers are not part of the notification's identity.
    assert.deepEqual(p.parseNotification({}, settled), paid);
  });
});
