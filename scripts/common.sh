# Shared settings and helpers of the set-up, run and test scripts.
# Sourced, never run.  Every setting comes from the environment with a default.

set -euo pipefail

OMS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export OMS_ROOT

# --- settings (documented in README.md) -------------------------------------
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
OMS_PG_PORT=${OMS_PG_PORT:-5488}
OMS_HTTP_PORT=${OMS_HTTP_PORT:-8069}
OMS_HTTP_INTERFACE=${OMS_HTTP_INTERFACE:-127.0.0.1}
OMS_DB=${OMS_DB:-oms}
OMS_TEST_DB=${OMS_TEST_DB:-${OMS_DB}_test}
OMS_PYTHON=${OMS_PYTHON:-python3}
OMS_PG_USER=${OMS_PG_USER:-oms}
OMS_PG_PASSWORD=${OMS_PG_PASSWORD:-oms}
OMS_ODOO_GIT_URL=${OMS_ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
# make run: the demo's channel and carrier simulators (1 = start them) and their ports
# (base + 1 to 8; the demo data points at the default 8181-8188).
OMS_SIMULATORS=${OMS_SIMULATORS:-1}
OMS_SIM_PORT_BASE=${OMS_SIM_PORT_BASE:-8180}
# Child processes (Odoo, pytest) see the same settings.
export ODOO_SRC OMS_PG_PORT OMS_HTTP_PORT OMS_HTTP_INTERFACE OMS_DB OMS_TEST_DB OMS_PYTHON \
    OMS_PG_USER OMS_PG_PASSWORD OMS_ODOO_GIT_URL OMS_SIMULATORS OMS_SIM_PORT_BASE

# --- derived paths (all git-ignored) -----------------------------------------
OMS_LOCAL="$OMS_ROOT/.local"
OMS_VENV="$OMS_ROOT/.venv"
OMS_PG_HOME="$OMS_LOCAL/postgres"
OMS_DATA_DIR="$OMS_LOCAL/data"
OMS_ADDONS=oms_core,oms_channels,oms_routing,oms_carriers,oms_returns,oms_returns_loyalty
# Opt-in addons (README.md, "Opt-in addons"): never installed by default; the ones
# OMS_OPT_ADDONS names (comma-separated) are installed with OMS_ADDONS by make run,
# make serve and make pytest. make test tests them in a step of their own.
OMS_OPT_IN_ADDONS=oms_fast_intake,oms_fast_confirm
OMS_OPT_ADDONS=${OMS_OPT_ADDONS:-}
export OMS_OPT_ADDONS
# with_opt_addons: OMS_ADDONS and the opt-in addons OMS_OPT_ADDONS names.
with_opt_addons() {
    local addon
    for addon in ${OMS_OPT_ADDONS//,/ }; do
        [[ ",$OMS_OPT_IN_ADDONS," == *",$addon,"* ]] ||
            die "OMS_OPT_ADDONS names '$addon', which is no opt-in addon (they are $OMS_OPT_IN_ADDONS)."
    done
    echo "$OMS_ADDONS${OMS_OPT_ADDONS:+,$OMS_OPT_ADDONS}"
}
PG_BINDIR=/usr/lib/postgresql/15/bin

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }

# die "message": print a short explanation naming the fix and exit non-zero.
die() {
    printf '\n\033[1;31mError:\033[0m %s\n\n' "$*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        return 1
    fi
}

# True when something listens on TCP port $1 of this machine.
port_in_use() {
    "$OMS_PYTHON" - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
for host in ("127.0.0.1", "0.0.0.0"):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            sys.exit(0)
sys.exit(1)
PY
}

# Describe who holds TCP port $1, when the system can tell.
port_owner() {
    if command -v ss >/dev/null 2>&1; then
        ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*"\),pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n 1
    fi
}

odoo_bin() { "$OMS_VENV/bin/python" "$ODOO_SRC/odoo-bin" "$@"; }

# db_name alone keeps Odoo to that one database. No dbfilter: with one, Odoo
# lists PostgreSQL's databases on every request that has no session (each
# webhook, each job), about a sixth of its time under a burst of webhooks.
# write_config FILE DB PORT SERVER_WIDE CHANNELS CRONS [OPTIONS [QUEUE_JOB]]: OPTIONS
# and QUEUE_JOB are more "key = value" lines for the two sections (make serve);
# CONF_PIDFILE and CONF_INTERFACE, when set, replace the pid file and interface.
write_config() {
    local file=$1 db=$2 port=$3 server_wide=$4 channels=$5 crons=$6
    local options=${7:-workers = 0} queue_job=${8:-}
    local pidfile=${CONF_PIDFILE:-$OMS_LOCAL/odoo-$db.pid}
    local interface=${CONF_INTERFACE:-$OMS_HTTP_INTERFACE}
    (umask 077 && cat >"$file" <<CONF
; Written by the scripts from the environment (scripts/common.sh); edits are overwritten.
[options]
addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$OMS_ROOT/addons
data_dir = $OMS_DATA_DIR
db_host = 127.0.0.1
db_port = $OMS_PG_PORT
db_user = $OMS_PG_USER
db_password = $OMS_PG_PASSWORD
db_name = $db
list_db = False
admin_passwd = $(cat "$OMS_LOCAL/master-password")
http_interface = $interface
http_port = $port
pidfile = $pidfile
server_wide_modules = $server_wide
max_cron_threads = $crons
$options

[queue_job]
channels = $channels
$queue_job
CONF
    )
}
