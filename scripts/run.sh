#!/usr/bin/env bash
# make run: set up what is missing, make sure the database $OMS_DB has the six
# OMS addons (with demo data) up to date, then serve Odoo in the foreground.
source "$(dirname "$0")/common.sh"
source "$OMS_ROOT/scripts/db.sh"
# The opt-in addons OMS_OPT_ADDONS names are installed and updated with the others.
OMS_ADDONS=$(with_opt_addons)

if port_in_use "$OMS_HTTP_PORT"; then
    die "Port $OMS_HTTP_PORT is in use$(o=$(port_owner "$OMS_HTTP_PORT"); [ -n "$o" ] && echo " by $o").
If it is an Odoo left over from an earlier 'make run', stop it with 'make stop';
otherwise choose another port: OMS_HTTP_PORT=8070 make run"
fi

"$OMS_ROOT/scripts/setup.sh"

conf="$OMS_LOCAL/odoo.conf"
logs="$OMS_LOCAL/logs"
ensure_db "$conf" "$OMS_DB"

case "$OMS_HTTP_INTERFACE" in
    127.0.0.1 | 0.0.0.0 | "") host=localhost ;;
    *) host=$OMS_HTTP_INTERFACE ;;
esac
sim_pid=""
if [ "$OMS_SIMULATORS" = 1 ]; then
    # The demo channels and carriers talk to these local simulators (tests/simulators).
    (cd "$OMS_ROOT" && exec "$OMS_VENV/bin/python" -m tests.simulators \
        --port-base "$OMS_SIM_PORT_BASE") >"$logs/simulators.log" 2>&1 &
    sim_pid=$!
    echo "$sim_pid" >"$OMS_LOCAL/simulators.pid"
    trap 'kill "$sim_pid" 2>/dev/null; rm -f "$OMS_LOCAL/simulators.pid"' EXIT
fi

cat <<MSG

  Order Management (Odoo 18.0) is starting at  http://$host:$OMS_HTTP_PORT
    back office   login admin   password admin
    portal        login customer  password customer  (a delivered order to return)
  Database '$OMS_DB'; background jobs run in this process (queue_job).
  Demo shops and carriers: simulators on 127.0.0.1:$((OMS_SIM_PORT_BASE + 1))-$((OMS_SIM_PORT_BASE + 8))
    (log: $logs/simulators.log; OMS_SIMULATORS=0 make run leaves them out).
    Order Management > Configuration > Sales Channels: "Pull Orders" brings their orders in.
  Walk the whole journey by hand: "Try this" in README.md.
  Ctrl-C stops Odoo; 'make stop' also stops PostgreSQL.

MSG
if [ -n "$sim_pid" ]; then
    # Not exec: the simulators stop when Odoo does.
    "$OMS_VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$OMS_DB"
else
    exec "$OMS_VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$OMS_DB"
fi
