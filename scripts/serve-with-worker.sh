#!/usr/bin/env bash
# `make demo`: one background worker (`udsyn worker`) beside the development server, in the foreground.
# When the server stops (Ctrl+C, or it dies), the worker is stopped too: it finishes the job in hand first.
# Usage: scripts/serve-with-worker.sh UDSYN ADDRESS:PORT
set -euo pipefail
udsyn="$1"
address="$2"

"$udsyn" worker --no-reload &
worker=$!
signalled=0
stop_worker() {
  # Ctrl+C reached the worker too (one process group); a second signal would cut its job short.
  if [ "$signalled" = 0 ]; then kill -TERM "$worker" 2>/dev/null || true; fi
  wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'signalled=1; exit 130' INT
trap 'kill -TERM "$worker" 2>/dev/null || true; signalled=1; exit 143' TERM

echo "A worker (process $worker) runs the background jobs: reports, table imports, e-mail, scheduled jobs."
"$udsyn" runserver "$address"
