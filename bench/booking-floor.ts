// What SQLite alone needs for a booking: `tsx bench/booking-floor.ts <bench.db>` (npm run bench
// runs it after the sustained booking case, pinned to the server's core).
//
// It copies the bench database, takes the orders the sustained case wrote with their slot
// hold, first history entry and outbox row, empties those tables in the copy, and writes the
// same rows again with nothing but better-sqlite3's prepared statements: per booking the two
// reads a booking makes (its session; after the order's insert, its patient's limits) and the
// four inserts, in transactions
// of BATCH bookings each in its own savepoint, as the server's grouped commits do at 50
// connections. No HTTP, no query builder, no JSON, no promises: a floor under the server's own
// cost, printed as JSON on stdout.
import { copyFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { openSqlite } from '../src/db/index.js';

type Row = Record<string, unknown>;

const [source, batchArg = '50', limitArg = '5000'] = process.argv.slice(2);
if (source === undefined) {
  process.stderr.write('usage: tsx bench/booking-floor.ts <sqlite file> [batch] [bookings]\n');
  process.exit(2);
}
const BATCH = Number(batchArg);
const LIMIT = Number(limitArg);

const copy = `${source}.floor`;
for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
{
  // A checkpoint first, so the copy of the main file holds every committed row.
  const db = openSqlite(source);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
copyFileSync(source, copy);
const db = openSqlite(copy);
// As the server runs it: its own checkpoints are on another thread, this is the backstop.
db.pragma('wal_autocheckpoint = 10000');

const orders = db.prepare('SELECT * FROM orders ORDER BY id LIMIT ?').all(LIMIT) as Row[];
const firstOf = (table: string, column: string) =>
  new Map((db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Row[]).reverse().map((r) => [r[column], r]));
const holds = firstOf('slot_holds', 'order_id');
const events = firstOf('order_events', 'order_id');
const outbox = firstOf('notification_outbox', 'order_id');
const bookings = orders
  .filter((o) => holds.has(o.id) && events.has(o.id) && outbox.has(o.id))
  .map((o) => ({ order: o, hold: holds.get(o.id)!, event: events.get(o.id)!, outbox: outbox.get(o.id)! }));
if (bookings.length < BATCH) {
  process.stderr.write(`only ${bookings.length} bookings in ${source}: run the sustained booking case first\n`);
  process.exit(1);
}
const tokenHashOf = new Map(
  (db.prepare('SELECT user_id, token_hash FROM access_tokens').all() as Row[]).map((r) => [r.user_id, r.token_hash]),
);
for (const table of ['notification_outbox', 'order_events', 'slot_holds', 'orders']) db.exec(`DELETE FROM ${table}`);
db.pragma('wal_checkpoint(TRUNCATE)');

/** An insert of every column the row has, as the server's own inserts name every column. */
function insertOf(table: string, row: Row) {
  const columns = Object.keys(row);
  const stmt = db.prepare(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  );
  return (r: Row) => stmt.run(columns.map((c) => r[c]));
}
const first = bookings[0]!;
const insertOrder = insertOf('orders', first.order);
const insertHold = insertOf('slot_holds', first.hold);
const insertEvent = insertOf('order_events', first.event);
const insertOutbox = insertOf('notification_outbox', first.outbox);
// The two reads of a booking, as src/modules/accounts/sessions.repository.ts and
// src/modules/booking/booking.repository.ts ask them.
const session = db.prepare(
  `SELECT users.*, access_tokens.id AS token_id, access_tokens.app_id AS token_app_id
   FROM access_tokens INNER JOIN users ON users.id = access_tokens.user_id
   WHERE access_tokens.token_hash = ? AND access_tokens.revoked_at IS NULL AND access_tokens.expires_at > ?`,
);
// The patient's unpaid orders and their bookings of the last hour, with the bench's
// RATE_LIMIT_BOOKINGS_PER_HOUR (100000): the offset is that limit.
const limits = db.prepare(
  `SELECT (SELECT count(*) FROM orders WHERE patient_user_id = ? AND status = 'waiting_payment') AS unpaid,
     (SELECT created_at FROM orders WHERE patient_user_id = ? ORDER BY created_at DESC LIMIT 1 OFFSET ?) AS nth`,
);
const BOOKINGS_PER_HOUR = 100000;

const started = process.hrtime.bigint();
const cpuBefore = process.cpuUsage();
for (let i = 0; i < bookings.length; i += BATCH) {
  db.exec('BEGIN IMMEDIATE');
  for (const b of bookings.slice(i, i + BATCH)) {
    session.get(tokenHashOf.get(b.order.patient_user_id), 0);
    db.exec('SAVEPOINT unit');
    insertOrder(b.order);
    limits.get(b.order.patient_user_id, b.order.patient_user_id, BOOKINGS_PER_HOUR);
    insertHold(b.hold);
    insertEvent(b.event);
    insertOutbox(b.outbox);
    db.exec('RELEASE SAVEPOINT unit');
  }
  db.exec('COMMIT');
}
const wallUs = Number(process.hrtime.bigint() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const written = (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
db.close();
for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
if (written !== bookings.length) {
  process.stderr.write(`wrote ${written} orders of ${bookings.length}\n`);
  process.exit(1);
}

const cpuUsPerBooking = (cpu.user + cpu.system) / bookings.length;
process.stdout.write(
  JSON.stringify({
    bookings: bookings.length,
    batch: BATCH,
    cpuUsPerBooking: Number(cpuUsPerBooking.toFixed(1)),
    wallUsPerBooking: Number((wallUs / bookings.length).toFixed(1)),
    // What one core could book a second doing this SQL and nothing else.
    bookingsPerSecond: Math.round(1e6 / cpuUsPerBooking),
    cpu: cpus()[0]?.model ?? 'unknown',
  }) + '\n',
);
