import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { messages } from '../../http/i18n.js';
import { ADMIN, op } from '../../http/openapi.js';
import { Envelope } from '../../http/schemas.js';
import type { Db } from '../../db/index.js';
import { AdminDashboard } from './admin-dashboard.js';
import { DashboardQuery, DashboardResource } from './admin-dashboard.schemas.js';

/**
 * The back office's dashboard, registered inside the admin routes (admin token or session).
 *
 *   GET /admin/dashboard    from, to (Y-m-d, WIB days; default the 30 ending today), hospital (slug)
 *
 * Per WIB day of the range: bookings, paid, cancelled, refunded, missed, revenue, and their
 * totals; today's appointments per hospital in its own zone; what waits for someone. An operator
 * sees every hospital; a hospital admin one of theirs (admin-scope.ts sets `hospital`).
 * Aggregates only: no patient's data, so nothing goes to the access log.
 */
export function dashboardAdminRoutes(instance: FastifyInstance, deps: { db: Db; now: () => number }): void {
  const r = instance.withTypeProvider<TypeBoxTypeProvider>();
  const dashboard = new AdminDashboard(deps.db, deps.now);
  r.get(
    '/dashboard',
    {
      schema: {
        ...op(
          'admin booking',
          'adminDashboard',
          'Figures per day (calendar days in Asia/Jakarta, WIB), today’s appointments per hospital, what needs attention',
          ADMIN,
        ),
        description:
          'Per-day figures count what happened on each calendar day in Asia/Jakarta (WIB): orders booked, paid, ' +
          'cancelled, refunded and marked missed, and revenue (paid minus refunded, whole rupiah). `from` and ' +
          '`to` (Y-m-d, both included) default to the 30 days ending today; `to` before `from`, a range of more ' +
          'than 366 days, or a date that does not exist is a 422 on the field. `hospital` (a slug) narrows every ' +
          'figure to one hospital. `today` counts each hospital’s appointments of its own calendar day (WIB, ' +
          'WITA or WIT), whatever the range; `attention` is the state now.',
        querystring: DashboardQuery,
        response: { 200: Envelope(DashboardResource) },
      },
    },
    async (request) => {
      const q = request.query;
      return {
        success: true,
        message: messages.ok[request.lang],
        data: await dashboard.read({
          ...(q.from !== undefined ? { from: q.from } : {}),
          ...(q.to !== undefined ? { to: q.to } : {}),
          ...(q.hospital !== undefined ? { hospital: q.hospital } : {}),
        }),
      };
    },
  );
}
