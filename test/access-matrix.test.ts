import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { sha256 } from '../src/security/tokens.js';
import { ADMIN, ANY_ROLE, DOCTOR, PATIENT, PUBLIC, params, type Role, type Sample } from './access/routes.js';
import { NO_PATIENT_ROWS, SNAPSHOT_TABLES, snapshot } from './access/snapshot.js';
import { A_IDEMPOTENCY_KEY, A_NOTE, A_OBGYN, A_PROFILE, buildWorld, type World } from './access/world.js';

/**
 * The access matrix (docs/testing.md): every route that touches a person's data, tried by every
 * other user, role and app. Patients A and B are on key K1, patient C on K2; doctors D1 (A's
 * doctor) and D2; an admin. Every cell must be refused in the envelope with the status and code
 * the API defines, A's rows must be the same after the matrix as before, and no answer to
 * anyone but A may carry any of A's values.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface Operation {
  method: Method;
  path: string;
  operationId: string;
  needsToken: boolean;
  /** The document's `x-token-roles`: the roles whose tokens it takes, when more than one. */
  tokenRoles: unknown;
}

interface Cell {
  name: string;
  method: Method;
  url: string;
  headers: Record<string, string>;
  payload?: Record<string, unknown>;
  /** A refusal (status and code), or an own answer checked by `check`. */
  expect: { status: number; code?: string; check?: (body: any) => string | undefined };
}

const PROPOSAL = { date: '2026-12-04', time: '10:30' };

/** Every operation of the app's own document. */
async function operations(w: World): Promise<Operation[]> {
  const res = await w.ta.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as {
    paths: Record<string, Record<string, { operationId?: string; security?: unknown[]; 'x-token-roles'?: unknown }>>;
  };
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      assert.ok(op.operationId, `${method} ${path} has no operationId`);
      const needsToken = (op.security ?? []).some((r) => Object.keys(r as object).includes('bearer'));
      out.push({
        method: method.toUpperCase() as Method,
        path,
        operationId: op.operationId,
        needsToken,
        tokenRoles: op['x-token-roles'],
      });
    }
  }
  return out;
}

const EVERY_ROLE: Role[] = ['patient', 'doctor', 'admin'];

/** The roles whose tokens an operation takes, as the matrix classifies it. */
function rolesOf(operationId: string): Role[] | undefined {
  if (operationId in ANY_ROLE) return EVERY_ROLE;
  if (operationId in PATIENT) return ['patient'];
  if (operationId in DOCTOR) return ['doctor'];
  if (ADMIN.includes(operationId)) return ['admin'];
  return undefined;
}

function sampleOf(w: World, op: Operation): Required<Pick<Sample, 'url'>> & Sample {
  const id = op.operationId;
  const sample = ANY_ROLE[id]?.(w) ?? PATIENT[id]?.(w) ?? DOCTOR[id]?.(w) ?? {};
  const values = params(w);
  const url =
    sample.url ??
    op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = values[name];
      if (v === undefined) throw new Error(`${op.operationId}: no matrix value for the path parameter {${name}}`);
      return encodeURIComponent(v);
    });
  const payload = sample.payload ?? (op.method === 'GET' || op.method === 'DELETE' ? undefined : {});
  return { url, ...(payload ? { payload } : {}) };
}

/** A's values: what no answer to anyone else may contain. */
function valuesOfA(w: World, others: string): string[] {
  const explicit = [
    A_PROFILE.name,
    A_PROFILE.address,
    A_PROFILE.phone_number,
    A_PROFILE.date_of_birth,
    A_PROFILE.place_of_birth,
    A_PROFILE.no_type,
    String(w.aMe.no_type),
    A_OBGYN.suami,
    A_OBGYN.faskes1,
    A_OBGYN.faskes_rujukan,
    A_OBGYN.pekerjaan,
    A_NOTE,
    w.a.email,
    w.a.username,
    w.a.userId,
    w.a.token,
    w.a.password,
    w.aRevoked,
    String(w.aMe.thumb),
    ...Object.values(w.orders).flatMap((o) => [
      o.transactionId,
      ...(o.paymentUrl ? [new URL(o.paymentUrl).pathname] : []),
    ]),
    ...w.aNotificationIds,
  ];
  // Everything else the export holds that is A's alone (not in B's export, nor in the catalogue).
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.length >= 8 && !others.includes(v)) found.push(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(w.aExport);
  return [...new Set([...explicit, ...found])];
}

test('access matrix: every cell across users, roles and apps is refused; A unchanged and never shown', async (t) => {
  const setupStart = performance.now();
  const w = await buildWorld(t);
  const setupMs = performance.now() - setupStart;
  const { ta, k1, k2 } = w;

  // 1. Every operation of the document is classified; no classification is stale.
  const ops = await operations(w);
  const ids = new Set(ops.map((o) => o.operationId));
  const unclassified = ops.filter((o) => rolesOf(o.operationId) === undefined && !(o.operationId in PUBLIC));
  assert.deepEqual(
    unclassified.map((o) => `${o.method} ${o.path} (${o.operationId})`),
    [],
    'operations without an access-matrix entry (test/access/routes.ts)',
  );
  // A role entry names cells: one left behind by a renamed route would leave that route untested.
  const stale = [...Object.keys(PATIENT), ...Object.keys(ANY_ROLE), ...Object.keys(DOCTOR), ...ADMIN].filter(
    (id) => !ids.has(id),
  );
  assert.deepEqual(stale, [], 'matrix entries naming no operation of the document');
  for (const o of ops) {
    const roles = rolesOf(o.operationId);
    assert.equal(
      o.needsToken,
      roles !== undefined,
      `${o.operationId}: needs a token = ${o.needsToken}, matrix roles ${roles}`,
    );
    // The document names the roles of an operation open to several; the matrix must agree.
    assert.deepEqual(
      o.tokenRoles,
      o.operationId in ANY_ROLE ? EVERY_ROLE : undefined,
      `${o.operationId}: x-token-roles of the document against the matrix (ANY_ROLE)`,
    );
  }

  // 2. Every table of the database is either snapshotted or holds no patient rows.
  const tables = (await ta.db.introspection.getTables())
    .map((x) => x.name)
    .filter((n) => !n.startsWith('kysely_'))
    .sort();
  assert.deepEqual(tables, [...SNAPSHOT_TABLES, ...NO_PATIENT_ROWS].sort(), 'tables of test/access/snapshot.ts');

  // 3. A's values, and A's rows before.
  const bExport = await ta.app.inject({
    method: 'GET',
    url: '/api/me/export',
    headers: { 'x-api-key': k1.key, authorization: `Bearer ${w.b.token}` },
  });
  const catalogue = await ta.app.inject({
    method: 'GET',
    url: '/api/doctor?data=100',
    headers: { 'x-api-key': k1.key },
  });
  const aValues = valuesOfA(w, bExport.body + catalogue.body);
  // The watch list is real: A's own export shows every value of it but A's secrets (tokens, the
  // password, and the payment links of orders already paid, which no answer shows any more).
  const secrets = [w.a.token, w.a.password, w.aRevoked, ...aValues.filter((v) => v.startsWith('/pay/'))];
  const aOwn = JSON.stringify(w.aExport);
  assert.deepEqual(
    aValues.filter((v) => !secrets.includes(v) && !aOwn.includes(v)),
    [],
    "values of A that A's own export does not show",
  );
  const person = {
    userId: w.a.userId,
    subjects: [w.a.userId, sha256(`forgot:${w.a.email.toLowerCase()}`), sha256(`forgot:${w.a.username.toLowerCase()}`)],
  };
  const before = await snapshot(ta.db, person);
  assert.ok(before.orders!.length === 9 && before.notifications!.length > 0 && before.access_log!.length > 0);

  // 4. The cells.
  const cells: Cell[] = [];
  const headers = (key: string | undefined, token: string | undefined): Record<string, string> => ({
    ...(key !== undefined ? { 'x-api-key': key } : {}),
    ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
  });
  const unauthenticated = { status: 401, code: 'UNAUTHENTICATED' };
  const KEYS = { K1: k1.key, K2: k2.key };

  // 4a. Every token operation, by every credential that is not its own role in its own app.
  const credentials: { name: string; token: string | undefined; role?: Role; home?: string }[] = [
    { name: 'A', token: w.a.token, role: 'patient', home: k1.key },
    { name: 'B', token: w.b.token, role: 'patient', home: k1.key },
    { name: 'C', token: w.c.token, role: 'patient', home: k2.key },
    { name: 'D1', token: w.d1.token, role: 'doctor', home: k1.key },
    { name: 'D2', token: w.d2.token, role: 'doctor', home: k1.key },
    { name: 'admin', token: w.admin.token, role: 'admin', home: k1.key },
    { name: 'A logged out', token: w.aRevoked },
    { name: 'made-up token', token: `cxp_${'q'.repeat(43)}` },
    { name: 'no token', token: undefined },
  ];
  for (const op of ops) {
    const roles = rolesOf(op.operationId);
    if (roles === undefined) continue;
    const sample = sampleOf(w, op);
    for (const cred of credentials) {
      for (const [keyName, key] of Object.entries(KEYS)) {
        // Its own role in its own app: the caller's own business (and ANY_ROLE's, its own session).
        if (cred.role !== undefined && roles.includes(cred.role) && cred.home === key) continue;
        cells.push({
          name: `${cred.name} with ${keyName} -> ${op.method} ${op.path}`,
          method: op.method,
          ...sample,
          headers: headers(key, cred.token),
          expect: unauthenticated,
        });
      }
    }
    for (const [keyName, key] of [
      ['no key', undefined],
      ['an unknown key', `cxk_${'z'.repeat(43)}`],
    ] as const) {
      cells.push({
        name: `A with ${keyName} -> ${op.method} ${op.path}`,
        method: op.method,
        ...sample,
        headers: headers(key, w.a.token),
        expect: { status: 401, code: 'API_KEY_INVALID' },
      });
    }
  }

  // 4b. Another patient (B on K1, C on K2) on A's orders and naming A in bodies.
  const others = [
    { name: 'B', key: k1.key, token: w.b.token },
    { name: 'C', key: k2.key, token: w.c.token },
  ];
  const orderNotFound = { status: 404, code: 'ORDER_NOT_FOUND' };
  const forbidden = { status: 403, code: 'FORBIDDEN_OTHER_USER' };
  const bodyOps = ops.filter((o) => rolesOf(o.operationId)?.includes('patient') && o.method !== 'GET');
  for (const x of others) {
    const h = headers(x.key, x.token);
    for (const [state, order] of Object.entries(w.orders)) {
      const tx = order.transactionId;
      cells.push({
        name: `${x.name} -> show A's ${state} order`,
        method: 'POST',
        url: '/api/user/order/show',
        headers: h,
        payload: { transaction_id: tx },
        expect: orderNotFound,
      });
      for (const type of ['accept', 'reject_by_patient', 'reschedulle_patient', 'reschedule_patient']) {
        cells.push({
          name: `${x.name} -> ${type} on A's ${state} order`,
          method: 'PUT',
          url: '/api/user/orders',
          headers: h,
          payload: { transaction_id: tx, type, ...(type.startsWith('resched') ? PROPOSAL : {}) },
          expect: orderNotFound,
        });
      }
    }
    // Naming A (by id or username, as the published bodies do) on every patient route with a body.
    // Logging out is queued last: were it let through, it would end the caller's session.
    for (const op of [...bodyOps].sort(
      (p, q) => Number(p.operationId === 'logout') - Number(q.operationId === 'logout'),
    )) {
      const sample = sampleOf(w, op);
      for (const naming of [
        { user_id: w.a.userId },
        { username: w.a.username },
        { username: ` ${w.a.username.toUpperCase()} ` },
        { user_id: w.a.userId.toUpperCase(), username: w.a.username },
      ]) {
        cells.push({
          name: `${x.name} -> ${op.method} ${op.path} naming A ${JSON.stringify(naming)}`,
          method: op.method,
          url: sample.url,
          headers: h,
          payload: { ...(sample.payload ?? {}), ...naming },
          expect: forbidden,
        });
      }
    }
    // A's inbox ids in the caller's own "mark read": nothing of A's is touched.
    cells.push({
      name: `${x.name} -> mark A's notifications read`,
      method: 'POST',
      url: '/api/notifications/read',
      headers: h,
      payload: { ids: w.aNotificationIds.slice(0, 100) },
      expect: { status: 200, check: (b) => (b.data.updated === 0 ? undefined : `updated ${b.data.updated}`) },
    });
  }
  // A doctor and an admin, in their own app, naming A on the routes every role may call.
  for (const x of [
    { name: 'D2', token: w.d2.token },
    { name: 'admin', token: w.admin.token },
  ]) {
    for (const op of bodyOps.filter((o) => o.operationId in ANY_ROLE)) {
      const sample = sampleOf(w, op);
      for (const naming of [{ user_id: w.a.userId }, { username: w.a.username }]) {
        cells.push({
          name: `${x.name} -> ${op.method} ${op.path} naming A ${JSON.stringify(naming)}`,
          method: op.method,
          url: sample.url,
          headers: headers(k1.key, x.token),
          payload: { ...(sample.payload ?? {}), ...naming },
          expect: forbidden,
        });
      }
    }
  }
  // B repeats A's Idempotency-Key and A's body: B's own attempt, never A's order.
  cells.push({
    name: "B -> booking with A's Idempotency-Key and body",
    method: 'POST',
    url: '/api/doctor/booking',
    headers: { ...headers(k1.key, w.b.token), 'idempotency-key': A_IDEMPOTENCY_KEY },
    payload: w.idempotentBody,
    expect: { status: 409, code: 'SLOT_TAKEN' },
  });
  cells.push({
    name: "C -> booking with A's Idempotency-Key and body (K2's scope)",
    method: 'POST',
    url: '/api/doctor/booking',
    headers: { ...headers(k2.key, w.c.token), 'idempotency-key': A_IDEMPOTENCY_KEY },
    payload: w.idempotentBody,
    expect: { status: 404, code: 'PRACTICE_NOT_FOUND_PUBLIC' },
  });

  // 4c. D2 on every one of D1's orders with A, every action.
  const d2 = headers(k1.key, w.d2.token);
  for (const [state, order] of Object.entries(w.orders)) {
    for (const action of [
      'confirm',
      'decline',
      'propose',
      'accept-proposal',
      'reject-proposal',
      'open-room',
      'start',
      'finish',
      'missed',
    ]) {
      cells.push({
        name: `D2 -> ${action} on A's ${state} order`,
        method: 'POST',
        url: `/api/doctor-app/orders/${order.transactionId}/${action}`,
        headers: d2,
        ...(action === 'propose' ? { payload: PROPOSAL } : {}),
        expect: orderNotFound,
      });
    }
    // The order page (with the patient's profile) and the free slots of a proposal.
    for (const suffix of ['', '/free-slots?date=2026-12-04']) {
      cells.push({
        name: `D2 -> GET A's ${state} order${suffix}`,
        method: 'GET',
        url: `/api/doctor-app/orders/${order.transactionId}${suffix}`,
        headers: d2,
        expect: orderNotFound,
      });
    }
  }
  cells.push({
    name: "D2 -> mark D1's notifications read",
    method: 'POST',
    url: '/api/doctor-app/notifications/read',
    headers: d2,
    payload: { ids: w.d1NotificationIds.slice(0, 100) },
    expect: { status: 200, check: (b) => (b.data.updated === 0 ? undefined : `updated ${b.data.updated}`) },
  });

  // 4d. The open routes whose secret is in the URL or a signature: A's transaction ids are no key.
  for (const [state, order] of Object.entries(w.orders)) {
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', '/complete'],
      ['POST', '/fail'],
    ] as const) {
      cells.push({
        name: `anyone -> ${method} /pay/<A's ${state} transaction id>${suffix}`,
        method,
        url: `/pay/${order.transactionId}${suffix}`,
        headers: {},
        expect: { status: 404, code: 'NOT_FOUND' },
      });
    }
  }
  // The reference the back office sees of A's unpaid order is the SHA-256 of its link's secret: no key.
  const unpaidRef = (
    await ta.db
      .selectFrom('orders')
      .select('payment_ref')
      .where('transaction_id', '=', w.orders.unpaid!.transactionId)
      .executeTakeFirstOrThrow()
  ).payment_ref;
  assert.ok(unpaidRef !== null && !w.orders.unpaid!.paymentUrl!.includes(unpaidRef));
  for (const [method, suffix] of [
    ['GET', ''],
    ['POST', '/complete'],
    ['POST', '/fail'],
  ] as const) {
    cells.push({
      name: `anyone -> ${method} /pay/<A's unpaid order's payment_ref>${suffix}`,
      method,
      url: `/pay/${unpaidRef}${suffix}`,
      headers: {},
      expect: { status: 404, code: 'NOT_FOUND' },
    });
  }
  for (const path of ['/files/avatars', '/files/images']) {
    cells.push({
      name: `anyone -> ${path}/<a guessed name>`,
      method: 'GET',
      url: `${path}/${randomUUID()}.jpg`,
      headers: {},
      expect: { status: 404, code: 'NOT_FOUND' },
    });
  }
  cells.push({
    name: "anyone -> an unsigned payment notification for A's unpaid order",
    method: 'POST',
    url: '/payments/webhook',
    headers: {},
    payload: {
      order_id: w.orders.unpaid!.transactionId,
      status_code: '200',
      gross_amount: '150000.00',
      transaction_status: 'settlement',
      fraud_status: 'accept',
      signature_key: 'f'.repeat(128),
    },
    expect: { status: 401, code: 'WEBHOOK_SIGNATURE_INVALID' },
  });

  // 4e. What B, C and D2 may read of their own: answered, and none of A's values in it.
  const own = (name: string, method: Method, url: string, h: Record<string, string>, status = 200, code?: string) =>
    cells.push({ name, method, url, headers: h, expect: { status, ...(code ? { code } : {}) } });
  for (const x of others) {
    const h = headers(x.key, x.token);
    own(`${x.name} -> own GET /api/me`, 'GET', '/api/me', h);
    own(`${x.name} -> own orders`, 'POST', '/api/user/orders', h);
    own(`${x.name} -> own notifications`, 'GET', '/api/notifications', h);
    own(`${x.name} -> own export`, 'GET', '/api/me/export', h);
    own(`${x.name} -> own access log`, 'GET', '/api/me/access-log', h);
    own(`${x.name} -> own email status`, 'GET', '/api/email/verification', h);
  }
  own('B -> own obgyn', 'GET', '/api/obgyn', headers(k1.key, w.b.token));
  own('C -> own obgyn (none)', 'GET', '/api/obgyn', headers(k2.key, w.c.token), 404, 'OBGYN_PROFILE_NOT_FOUND');
  own('D2 -> own orders', 'GET', '/api/doctor-app/orders', d2);
  own('D2 -> own notifications', 'GET', '/api/doctor-app/notifications', d2);

  // 5. Run them, a few at a time (every cell is refused or reads only the caller's own data, so
  // none depends on another), each from an address of its own (rate limits count per address).
  const failures: string[] = [];
  const matrixStart = performance.now();
  const runCell = async (cell: Cell, i: number): Promise<void> => {
    let res;
    try {
      res = await ta.app.inject({
        method: cell.method,
        url: cell.url,
        headers: cell.headers,
        remoteAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        ...(cell.payload !== undefined ? { payload: cell.payload } : {}),
      });
    } catch (err) {
      failures.push(`${cell.name}: ${(err as Error).message.slice(0, 300)}`);
      return;
    }
    const text = `${res.body}\n${JSON.stringify(res.headers)}`;
    const leaked = aValues.filter((v) => text.includes(v));
    if (leaked.length > 0) failures.push(`${cell.name}: answer carries A's ${JSON.stringify(leaked)}`);
    let body: any;
    try {
      body = res.json();
    } catch {
      failures.push(`${cell.name}: ${res.statusCode}, not JSON`);
      return;
    }
    const { status, code, check } = cell.expect;
    if (res.statusCode !== status || (code !== undefined && body.code !== code)) {
      failures.push(`${cell.name}: expected ${status} ${code ?? ''}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
      return;
    }
    if (status >= 400 && (body.success !== false || body.data !== null || typeof body.message !== 'string')) {
      failures.push(`${cell.name}: refusal outside the envelope: ${res.body.slice(0, 200)}`);
    }
    const problem = check?.(body);
    if (problem !== undefined) failures.push(`${cell.name}: ${problem}`);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < cells.length) {
        const i = next++;
        await runCell(cells[i]!, i + 1);
      }
    }),
  );

  // 6. An expired token is refused too (the clock moves past TOKEN_TTL_DAYS).
  w.clock.now += 31 * 86_400_000;
  for (const [name, url, token] of [
    ['A expired', '/api/me', w.a.token],
    ['D1 expired', '/api/doctor-app/orders', w.d1.token],
    ['admin expired', '/api/admin/orders', w.admin.token],
  ] as const) {
    const res = await ta.app.inject({ method: 'GET', url, headers: headers(k1.key, token) });
    if (res.statusCode !== 401 || res.json().code !== 'UNAUTHENTICATED') {
      failures.push(`${name} -> GET ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    cells.push({ name, method: 'GET', url, headers: {}, expect: unauthenticated });
  }
  const matrixMs = performance.now() - matrixStart;

  // 7. A's rows are what they were.
  const after = await snapshot(ta.db, person);
  for (const table of Object.keys(before)) {
    assert.deepEqual(after[table], before[table], `A's rows in ${table} changed`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cells.length} cells failed`);

  // 8. A's doctor and the back office read A's orders (after the snapshot: their reads are in A's
  // access log), but never A's payment links, whose secret pays or fails an order.
  w.clock.now -= 31 * 86_400_000;
  const linkSecrets = Object.values(w.orders).flatMap((o) =>
    o.paymentUrl ? [new URL(o.paymentUrl).pathname.split('/')[2]!] : [],
  );
  assert.ok(linkSecrets.length > 0);
  for (const [name, url, token] of [
    ['D1', '/api/doctor-app/orders?data=100', w.d1.token],
    ['admin', '/api/admin/orders?data=100', w.admin.token],
  ] as const) {
    const res = await ta.app.inject({ method: 'GET', url, headers: headers(k1.key, token) });
    assert.equal(res.statusCode, 200, `${name} -> GET ${url}: ${res.body.slice(0, 200)}`);
    assert.ok(res.body.includes(w.orders.unpaid!.transactionId), `${name} sees A's unpaid order`);
    assert.ok(!res.body.includes('payment_url'), `${name} -> GET ${url} shows payment_url`);
    assert.deepEqual(
      linkSecrets.filter((secret) => res.body.includes(secret)),
      [],
      `${name} -> GET ${url} shows A's payment link`,
    );
  }
  t.diagnostic(
    `${cells.length} cells over ${ops.length} operations, ${aValues.length} values of A watched; ` +
      `setup ${Math.round(setupMs)} ms, matrix ${Math.round(matrixMs)} ms`,
  );
});
