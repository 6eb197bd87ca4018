#!/usr/bin/env bash
# Runs the typed client's example (clients/typescript/example.ts) against a real server: demo mode
# on an embedded SQLite database in a temporary data dir, on a free port, with a demo key chosen
# here. The server is the compiled build (dist/server.js), as production runs it: so CI proves
# that a fresh clone's build starts and serves. Used by .ci/run; runnable by hand from the
# repository root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node scripts/build-server.mjs --if-stale

KEY="${CLIENT_EXAMPLE_API_KEY:-ci-client-example-key-0001}"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/cexup-client-example.XXXXXX")"
PORT="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
LOG="$DATA/server.log"
SERVER_PID=

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

# Only what this run sets: a developer's or CI's database and settings must not leak in.
env -u DATABASE_URL -u REDIS_URL -u PAYMENT_PROVIDER -u PUBLIC_URL -u NODE_OPTIONS \
  NODE_ENV=development DEMO_MODE=true DATA_DIR="$DATA" HOST=127.0.0.1 PORT="$PORT" \
  CEXUP_DEMO_API_KEY="$KEY" LOG_LEVEL=warn \
  node dist/server.js >"$LOG" 2>&1 &
SERVER_PID=$!

# The demo data is loaded before the server listens: wait for /health, up to a minute.
ready=0
for _ in $(seq 1 300); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
  if node -e "fetch('http://127.0.0.1:$PORT/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ "$ready" -ne 1 ]; then
  echo "ERROR: the server did not start:" >&2
  cat "$LOG" >&2
  exit 1
fi
echo "server on port $PORT (pid $SERVER_PID), data in $DATA"

if ! CEXUP_API_URL="http://127.0.0.1:$PORT" CEXUP_API_KEY="$KEY" node --import tsx clients/typescript/example.ts; then
  echo "ERROR: the client example failed; the server's log:" >&2
  cat "$LOG" >&2
  exit 1
fi
