#!/usr/bin/env bash
# make serve: Odoo as a shop runs it, in three processes that start and stop together.
#
#  1. the public server: prefork workers (OMS_WORKERS) for the back office, the
#     portal and the webhooks, a gevent process for the bus (OMS_GEVENT_PORT), cron
#     workers, proxy_mode, memory and time limits; it never runs a job;
#  2. the job server: prefork workers of their own (OMS_JOB_WORKERS) on
#     127.0.0.1:OMS_JOB_PORT, with longer time limits, where every job runs;
#  3. queue_job's runner, a process of its own, that hands the queued jobs to the
#     job server by channel (OMS_JOB_CHANNELS: root.oms.* with their capacities).
#
# So a burst of imports, labels or stock pushes never makes a webhook or a page
# wait. Everything is set by environment variables (README.md, "Serving a shop").
source "$(dirname "$0")/common.sh"
source "$OMS_ROOT/scripts/db.sh"
# The opt-in addons OMS_OPT_ADDONS names are installed and updated with the others.
OMS_ADDONS=$(with_opt_addons)

OMS_WORKERS=${OMS_WORKERS:-$(($(nproc) * 2 + 1))}
OMS_CRON_WORKERS=${OMS_CRON_WORKERS:-1}
OMS_GEVENT_PORT=${OMS_GEVENT_PORT:-$((OMS_HTTP_PORT + 3))}
OMS_JOB_WORKERS=${OMS_JOB_WORKERS:-2}
OMS_JOB_PORT=${OMS_JOB_PORT:-$((OMS_HTTP_PORT + 4))}
# One channel per kind of work (oms_core's queue_job_data.xml): imports take all
# but one worker, so that pushes and labels always find one.
imports=$((OMS_JOB_WORKERS > 1 ? OMS_JOB_WORKERS - 1 : 1))
OMS_JOB_CHANNELS=${OMS_JOB_CHANNELS:-root:$OMS_JOB_WORKERS,root.oms:$OMS_JOB_WORKERS,root.oms.import:$imports,root.oms.push:1,root.oms.label:1}
OMS_PROXY_MODE=${OMS_PROXY_MODE:-1}
OMS_LIMIT_MEMORY_SOFT=${OMS_LIMIT_MEMORY_SOFT:-2147483648}
OMS_LIMIT_MEMORY_HARD=${OMS_LIMIT_MEMORY_HARD:-2684354560}
OMS_LIMIT_TIME_CPU=${OMS_LIMIT_TIME_CPU:-60}
OMS_LIMIT_TIME_REAL=${OMS_LIMIT_TIME_REAL:-120}
OMS_JOB_LIMIT_TIME_CPU=${OMS_JOB_LIMIT_TIME_CPU:-900}
OMS_JOB_LIMIT_TIME_REAL=${OMS_JOB_LIMIT_TIME_REAL:-1800}
job_gevent_port=$((OMS_JOB_PORT + 1))

[ "$OMS_WORKERS" -ge 1 ] && [ "$OMS_JOB_WORKERS" -ge 1 ] ||
    die "OMS_WORKERS and OMS_JOB_WORKERS must be 1 or more (make run serves without workers)."
for port in "$OMS_HTTP_PORT" "$OMS_GEVENT_PORT" "$OMS_JOB_PORT" "$job_gevent_port"; do
    if port_in_use "$port"; then
        die "Port $port is in use$(o=$(port_owner "$port"); [ -n "$o" ] && echo " by $o").
make serve uses OMS_HTTP_PORT ($OMS_HTTP_PORT), OMS_GEVENT_PORT ($OMS_GEVENT_PORT), OMS_JOB_PORT
($OMS_JOB_PORT) and OMS_JOB_PORT + 1; stop what holds it ('make stop' for an earlier Odoo)
or choose other ports, e.g. OMS_HTTP_PORT=8090 make serve"
    fi
done

"$OMS_ROOT/scripts/setup.sh"
logs="$OMS_LOCAL/logs"
mkdir -p "$logs"
ensure_db "$OMS_LOCAL/odoo.conf" "$OMS_DB"

limits() { # limits CPU REAL: the lines both servers share, with their time limits
    printf '%s\n' "proxy_mode = $([ "$OMS_PROXY_MODE" = 1 ] && echo True || echo False)" \
        "limit_memory_soft = $OMS_LIMIT_MEMORY_SOFT" "limit_memory_hard = $OMS_LIMIT_MEMORY_HARD" \
        "limit_time_cpu = $1" "limit_time_real = $2"
}
web_conf="$OMS_LOCAL/odoo-serve-$OMS_DB.conf"  # per database: two shops may be served at once
jobs_conf="$OMS_LOCAL/odoo-serve-jobs-$OMS_DB.conf"
# queue_job is not a server-wide module of either server: neither starts a runner.
CONF_PIDFILE="$OMS_LOCAL/odoo-serve-$OMS_DB.pid" write_config "$web_conf" "$OMS_DB" \
    "$OMS_HTTP_PORT" "base,web" "root:0" "$OMS_CRON_WORKERS" \
    "$(printf 'workers = %s\ngevent_port = %s\n' "$OMS_WORKERS" "$OMS_GEVENT_PORT"; \
        limits "$OMS_LIMIT_TIME_CPU" "$OMS_LIMIT_TIME_REAL")"
CONF_PIDFILE="$OMS_LOCAL/odoo-serve-jobs-$OMS_DB.pid" CONF_INTERFACE=127.0.0.1 write_config \
    "$jobs_conf" "$OMS_DB" "$OMS_JOB_PORT" "base,web" "$OMS_JOB_CHANNELS" 0 \
    "$(printf 'workers = %s\ngevent_port = %s\n' "$OMS_JOB_WORKERS" "$job_gevent_port"; \
        limits "$OMS_JOB_LIMIT_TIME_CPU" "$OMS_JOB_LIMIT_TIME_REAL")" \
    "$(printf 'host = 127.0.0.1\nport = %s\nscheme = http\n' "$OMS_JOB_PORT")"

pids=()
stop_all() {
    trap - INT TERM EXIT
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 30); do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -f "$OMS_LOCAL/odoo-serve-jobrunner-$OMS_DB.pid" "$OMS_LOCAL/simulators.pid"
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

# wait_healthy PORT NAME LOG: until Odoo answers /web/health on PORT (2 minutes).
wait_healthy() {
    for _ in $(seq 1 240); do
        if "$OMS_PYTHON" - "$1" 2>/dev/null <<'PY'; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/web/health", timeout=2).read()
PY
        for pid in "${pids[@]}"; do
            kill -0 "$pid" 2>/dev/null || { tail -n 20 "$3" >&2; die "The $2 stopped (above; log $3)."; }
        done
        sleep 0.5
    done
    tail -n 20 "$3" >&2
    die "The $2 did not answer on port $1 within 2 minutes (log $3)."
}

if [ "$OMS_SIMULATORS" = 1 ]; then
    (cd "$OMS_ROOT" && exec "$OMS_VENV/bin/python" -m tests.simulators \
        --port-base "$OMS_SIM_PORT_BASE") >"$logs/simulators.log" 2>&1 &
    pids+=($!)
    echo "$!" >"$OMS_LOCAL/simulators.pid"
fi
# Started directly, not through a shell function: the pids are Odoo's own.
"$OMS_VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$jobs_conf" --logfile="$logs/serve-jobs.log" &
pids+=($!)
"$OMS_VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$web_conf" --logfile="$logs/serve-http.log" &
pids+=($!)
wait_healthy "$OMS_JOB_PORT" "job server" "$logs/serve-jobs.log"
wait_healthy "$OMS_HTTP_PORT" "public server" "$logs/serve-http.log"
# The runner keeps no state of its own (the queue is in the database): one that
# dies is started again; jobs it had handed over run on (dead ones are requeued).
(
    child="" pause=1
    trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; exit 0' INT TERM
    while true; do
        started=$SECONDS
        "$OMS_VENV/bin/python" "$OMS_ROOT/scripts/jobrunner.py" -c "$jobs_conf" \
            --logfile="$logs/serve-jobrunner.log" &
        child=$!
        echo "$child" >"$OMS_LOCAL/odoo-serve-jobrunner-$OMS_DB.pid"
        wait "$child" && status=0 || status=$?
        # One that keeps failing at once (a database gone) is started less and less
        # often, up to once a minute; one that ran a while is started again at once.
        if ((SECONDS - started > 60)); then pause=1; else pause=$((pause * 2 > 60 ? 60 : pause * 2)); fi
        echo "$(date -u '+%F %T') make serve: the job runner stopped (exit $status)," \
            "starting it again in $pause s" >>"$logs/serve-jobrunner.log"
        sleep "$pause"
    done
) &
pids+=($!)

cat <<MSG

  Order Management (Odoo 18.0) serves '$OMS_DB' at  http://127.0.0.1:$OMS_HTTP_PORT
    public server  $OMS_WORKERS workers, $OMS_CRON_WORKERS cron worker(s), bus on port $OMS_GEVENT_PORT (log $logs/serve-http.log)
    job server     $OMS_JOB_WORKERS workers on 127.0.0.1:$OMS_JOB_PORT (log $logs/serve-jobs.log)
    job runner     channels $OMS_JOB_CHANNELS (log $logs/serve-jobrunner.log)
  Put a reverse proxy in front: / to port $OMS_HTTP_PORT, /websocket to port $OMS_GEVENT_PORT,
  nothing to /queue_job/ (README.md, "Serving a shop"). Ctrl-C stops all three.

MSG
set +e
wait -n "${pids[@]}"
status=$?
say "A process of make serve stopped (exit $status): stopping the others"
exit "$status"
