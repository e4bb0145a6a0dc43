#!/usr/bin/env bash
# make stop: stop an Odoo left running by 'make run', then the PostgreSQL cluster.
source "$(dirname "$0")/common.sh"

for pidfile in "$OMS_LOCAL"/odoo-*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q odoo "/proc/$pid/cmdline" 2>/dev/null; then
        say "Stopping Odoo (pid $pid)"
        kill -TERM "$pid"
        for _ in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 1
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$pidfile"
done
if [ -f "$OMS_LOCAL/simulators.pid" ]; then
    pid=$(cat "$OMS_LOCAL/simulators.pid")
    if [ -n "$pid" ] && grep -q tests.simulators "/proc/$pid/cmdline" 2>/dev/null; then
        say "Stopping the simulators (pid $pid)"
        kill -TERM "$pid"
    fi
    rm -f "$OMS_LOCAL/simulators.pid"
fi
[ -d "$OMS_PG_HOME" ] && "$OMS_ROOT/scripts/postgres.sh" stop
exit 0
