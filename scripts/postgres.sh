#!/usr/bin/env bash
# The project's own PostgreSQL 15 cluster, in .local/postgres (git-ignored).
#   scripts/postgres.sh start    create the cluster and the role if needed, start it
#   scripts/postgres.sh stop     stop it (fast shutdown: data is safe)
#   scripts/postgres.sh status
#   scripts/postgres.sh psql ARGS...   psql as the cluster's superuser
# The cluster runs as a non-root OS user (postgres when called as root, else the
# caller), listens on 127.0.0.1:$OMS_PG_PORT and on a socket in its run folder.
# Nothing here ever deletes data.
source "$(dirname "$0")/common.sh"

if [ "$(id -u)" -eq 0 ]; then
    PG_OS_USER=postgres
else
    PG_OS_USER=$(id -un)
fi

# Run a command as the cluster's OS user, from / (it may not enter the checkout).
as_pg() {
    if [ "$(id -un)" = "$PG_OS_USER" ]; then
        "$@"
    else
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    fi
}

# The cluster lives in .local/postgres unless the PostgreSQL OS user cannot reach
# that folder (a checkout under /root, say): then in /var/lib/oms-postgres/<id>,
# with .local/postgres a link to it.
locate_cluster() {
    mkdir -p "$OMS_LOCAL"
    if [ ! -e "$OMS_PG_HOME" ]; then
        if as_pg test -x "$OMS_LOCAL" 2>/dev/null && as_pg test -r "$OMS_LOCAL" 2>/dev/null; then
            mkdir -p "$OMS_PG_HOME"
        else
            local elsewhere
            elsewhere=/var/lib/oms-postgres/$(printf '%s' "$OMS_ROOT" | sha1sum | cut -c1-12)
            mkdir -p "$elsewhere"
            ln -s "$elsewhere" "$OMS_PG_HOME"
        fi
        chown "$PG_OS_USER" "$(readlink -f "$OMS_PG_HOME")"
        chmod 700 "$(readlink -f "$OMS_PG_HOME")"
    fi
    PG_HOME=$(readlink -f "$OMS_PG_HOME")
    PGDATA="$PG_HOME/data"
    PG_RUN="$PG_HOME/run"
    PG_LOG="$PG_HOME/postgresql.log"
}

pg_ctl_() { as_pg "$PG_BINDIR/pg_ctl" -D "$PGDATA" "$@"; }

is_running() { pg_ctl_ status >/dev/null 2>&1; }

running_port() { sed -n 4p "$PGDATA/postmaster.pid" 2>/dev/null; }

psql_() { PGOPTIONS="-c client_min_messages=warning" as_pg "$PG_BINDIR/psql" -h "$PG_RUN" -p "$(running_port)" -U postgres -d postgres -X -q "$@"; }

ensure_binaries() {
    [ -x "$PG_BINDIR/initdb" ] || "$OMS_ROOT/scripts/setup.sh" system
    id "$PG_OS_USER" >/dev/null 2>&1 ||
        die "The OS user '$PG_OS_USER' that runs PostgreSQL does not exist. Reinstall the postgresql-15 package."
}

init_cluster() {
    [ -f "$PGDATA/PG_VERSION" ] && return 0
    say "Creating the PostgreSQL cluster in $PGDATA"
    as_pg mkdir -p "$PGDATA" "$PG_RUN"
    as_pg "$PG_BINDIR/initdb" -D "$PGDATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >"$PG_HOME/initdb.log" 2>&1 ||
        die "initdb failed; its output is in $PG_HOME/initdb.log."
}

# After a reboot or a crash postmaster.pid may name a process that is gone, or a
# pid now used by another program: PostgreSQL would refuse to start.
clear_stale_pid() {
    local pidfile="$PGDATA/postmaster.pid" pid
    [ -f "$pidfile" ] || return 0
    pid=$(head -n 1 "$pidfile")
    if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
        [ "$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -n 1 | xargs -r basename)" = postgres ]; then
        return 0
    fi
    note "Removing the stale $pidfile (process $pid is not PostgreSQL)"
    rm -f "$pidfile"
}

start() {
    ensure_binaries
    locate_cluster
    init_cluster
    as_pg mkdir -p "$PG_RUN"
    clear_stale_pid
    if is_running; then
        local port
        port=$(running_port)
        [ "$port" = "$OMS_PG_PORT" ] ||
            die "The project's PostgreSQL is already running on port $port, not OMS_PG_PORT=$OMS_PG_PORT.
Run 'make stop' first, or use OMS_PG_PORT=$port."
    else
        if port_in_use "$OMS_PG_PORT"; then
            die "Port $OMS_PG_PORT, wanted by the project's PostgreSQL, is in use$(o=$(port_owner "$OMS_PG_PORT"); [ -n "$o" ] && echo " by $o").
Stop that program, or choose another port: OMS_PG_PORT=5499 make ..."
        fi
        say "Starting PostgreSQL on 127.0.0.1:$OMS_PG_PORT"
        pg_ctl_ start -w -t 60 -l "$PG_LOG" \
            -o "-p $OMS_PG_PORT -k $PG_RUN -c listen_addresses=127.0.0.1" >/dev/null ||
            die "PostgreSQL failed to start. Its log is $PG_LOG:
$(tail -n 5 "$PG_LOG" 2>/dev/null)"
    fi
    ensure_role
}

ensure_role() {
    local exists
    exists=$(psql_ -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$OMS_PG_USER'")
    if [ "$exists" != "1" ]; then
        say "Creating the database role '$OMS_PG_USER'"
        psql_ -c "CREATE ROLE \"$OMS_PG_USER\" LOGIN CREATEDB PASSWORD '$OMS_PG_PASSWORD'"
    else
        psql_ -c "ALTER ROLE \"$OMS_PG_USER\" PASSWORD '$OMS_PG_PASSWORD'"
    fi
}

stop() {
    locate_cluster
    if [ -f "$PGDATA/PG_VERSION" ] && is_running; then
        say "Stopping PostgreSQL"
        pg_ctl_ stop -m fast -w >/dev/null
    fi
}

status() {
    locate_cluster
    if [ -f "$PGDATA/PG_VERSION" ] && is_running; then
        echo "PostgreSQL: running on 127.0.0.1:$(running_port), data in $PGDATA"
    else
        echo "PostgreSQL: not running (data in $PGDATA)"
    fi
}

case "${1:-}" in
    start | stop | status) "$1" ;;
    psql)
        shift
        locate_cluster
        psql_ "$@"
        ;;
    *) die "usage: scripts/postgres.sh start|stop|status|psql" ;;
esac
