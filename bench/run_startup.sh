#!/usr/bin/env bash
# Seconds from 'make run' to the first HTTP 200 on /web/login, database existing.
# Stops Odoo afterwards (PostgreSQL keeps running).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${OMS_HTTP_PORT:-8069}
start=$(date +%s%N)
setsid make run >/tmp/oms-bench-run.log 2>&1 &
pid=$!
trap 'kill -INT -- -$pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 1200); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/web/login")" = 200 ]; then
        ms=$((($(date +%s%N) - start) / 1000000))
        printf "make run, warm, to first HTTP 200: %d.%d s\n" $((ms / 1000)) $((ms % 1000 / 100))
        exit 0
    fi
    kill -0 "$pid" 2>/dev/null || { cat /tmp/oms-bench-run.log; exit 1; }
    sleep 0.1
done
echo "not serving after 120 s; log: /tmp/oms-bench-run.log" >&2
exit 1
