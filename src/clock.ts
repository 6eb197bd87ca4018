/**
 * The one wall clock of the service. Everything else takes a `Clock` (built in `buildApp` and
 * passed down), so tests fix or move time, and nothing depends on the date a suite runs on.
 * A lint rule (eslint.config.js) refuses `Date.now()` and `new Date()` anywhere but here.
 */
export type Clock = () => number;

/** Milliseconds since the epoch, from the system. */
export const systemClock: Clock = () => Date.now();
