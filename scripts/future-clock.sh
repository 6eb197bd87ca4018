#!/usr/bin/env bash
# Runs a command with the system clock moved ahead (a year unless FUTURE_CLOCK_OFFSET says
# otherwise), so a test that only passes before some date fails the day it is written.
#
#   bash scripts/future-clock.sh npm test
#
# Debian's faketime (libfaketime through LD_PRELOAD, inherited by child processes: the test
# runner's workers, spawned servers, chromium) shifts what the wall clock reads. First it checks
# that Node really sees the moved clock and that its timers still fire on time (libfaketime
# shifts the monotonic clock by the same constant, so timeouts keep their length).
set -euo pipefail

OFFSET="${FUTURE_CLOCK_OFFSET:-+365d}"
if ! command -v faketime >/dev/null; then
  echo "faketime is missing: apt-get install faketime (Debian's libfaketime)" >&2
  exit 1
fi

REAL_NOW_MS="$(($(date +%s) * 1000))" faketime -f "$OFFSET" node -e '
  const real = Number(process.env.REAL_NOW_MS);
  const seen = Date.now();
  const aheadDays = (seen - real) / 86_400_000;
  console.log(`future clock: Node reads ${new Date(seen).toISOString()} (${aheadDays.toFixed(2)} days ahead)`);
  if (!(aheadDays > 1)) { console.error("faketime did not move the clock Node reads"); process.exit(1); }
  const started = performance.now();
  setTimeout(() => {
    const took = performance.now() - started;
    console.log(`future clock: a 200 ms timer fired after ${took.toFixed(0)} ms`);
    if (took < 190 || took > 5000) { console.error("timers do not keep time under faketime"); process.exit(1); }
  }, 200);
'
exec faketime -f "$OFFSET" "$@"
