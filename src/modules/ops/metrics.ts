import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AppError, type ErrorCode } from '../../http/errors.js';

/**
 * What became of one booking request (POST /api/doctor/booking), as the booking routes report
 * it: an order made, the same request answered again (Idempotency-Key), or the error that
 * refused it.
 */
export type BookingOutcome = 'created' | 'idempotent_replay' | { refused: unknown };

/** The label of a refusal: the refusals worth watching by name, the rest grouped. */
const REFUSALS: Partial<Record<ErrorCode, string>> = {
  SLOT_TAKEN: 'slot_taken',
  PRICE_MISMATCH: 'price_mismatch',
  TOO_MANY_UNPAID_ORDERS: 'too_many_unpaid',
  TOO_MANY_BOOKINGS: 'too_many_bookings',
  IDEMPOTENCY_KEY_REUSED: 'idempotency_key_reused',
  PAYMENT_UNAVAILABLE: 'payment_unavailable',
  EMAIL_NOT_VERIFIED: 'email_not_verified',
  PRACTICE_NOT_FOUND_PUBLIC: 'not_found',
  VALIDATION_FAILED: 'invalid',
  UNAUTHENTICATED: 'unauthenticated',
  API_KEY_INVALID: 'unauthenticated',
};
const OUTCOMES = ['created', 'idempotent_replay', ...new Set(Object.values(REFUSALS)), 'refused', 'error'];

/** Fastify's validation errors are AppErrors only once the error handler has mapped them. */
function outcomeLabel(outcome: BookingOutcome): string {
  if (typeof outcome === 'string') return outcome;
  const err = outcome.refused as { validation?: unknown; statusCode?: number };
  if (err instanceof AppError) return REFUSALS[err.code] ?? (err.status >= 500 ? 'error' : 'refused');
  if (err.validation !== undefined) return 'invalid';
  return typeof err.statusCode === 'number' && err.statusCode < 500 ? 'refused' : 'error';
}

/** Methods a label may name; anything else (a client's invention) is counted as `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The process's Prometheus metrics, in a registry of its own (never prom-client's global one,
 * so every app a test builds counts alone). Labels are bounded: the route *pattern*
 * (`/api/doctor/:slug`, never the URL with its ids or tokens), `unmatched` for any path no route
 * has, the method and the status.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly bookings: Counter<'outcome'>;

  constructor(options: { processMetrics: boolean }) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'cexup_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'cexup_http_request_duration_seconds',
      help: 'Time from the request to its answer, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.bookings = new Counter({
      name: 'cexup_bookings_total',
      help: 'Booking requests (POST /api/doctor/booking) by outcome: created, idempotent_replay, slot_taken, ...',
      labelNames: ['outcome'],
      registers,
    });
    // Every outcome is there from the start, at 0, so a rate over it exists before the first one.
    for (const outcome of OUTCOMES) this.bookings.inc({ outcome }, 0);
    // Memory, CPU, event-loop lag, handles: read when scraped (no timers of their own).
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** onResponse: one answered request. */
  readonly observe = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const labels = {
      method: METHODS.has(request.method) ? request.method : 'other',
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    this.requests.inc(labels);
    this.duration.observe(labels, reply.elapsedTime / 1000);
  };

  booking(outcome: BookingOutcome): void {
    this.bookings.inc({ outcome: outcomeLabel(outcome) });
  }

  /** The text exposition format, and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Counts every answer of the app, 404s and errors included. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', metrics.observe);
}
