# Database helpers of run.sh, serve.sh and test.sh.  Sourced after common.sh.

pg_psql() { "$OMS_ROOT/scripts/postgres.sh" psql "$@"; }

db_exists() {
    [ "$(pg_psql -tA -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = "1" ]
}

# Prints the OMS addons that are not installed in database $1, comma-separated.
db_missing_addons() {
    local installed
    installed=$(pg_psql -d "$1" -tA -c \
        "SELECT name FROM ir_module_module WHERE state = 'installed'" 2>/dev/null || true)
    local addon missing=()
    for addon in ${OMS_ADDONS//,/ }; do
        grep -qx "$addon" <<<"$installed" || missing+=("$addon")
    done
    (IFS=,; echo "${missing[*]}")
}

drop_db() {
    pg_psql -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
    rm -rf "$OMS_DATA_DIR/filestore/$1"
}

# copy_db FROM TO: a new database TO as a copy of FROM, filestore included.
copy_db() {
    pg_psql -c "CREATE DATABASE \"$2\" TEMPLATE \"$1\" OWNER \"$OMS_PG_USER\""
    if [ -d "$OMS_DATA_DIR/filestore/$1" ]; then
        mkdir -p "$OMS_DATA_DIR/filestore"
        cp -a "$OMS_DATA_DIR/filestore/$1" "$OMS_DATA_DIR/filestore/$2"
    fi
}

# Content hash of the project's addons: tells when a database needs an update.
addons_hash() {
    (cd "$OMS_ROOT" && find addons -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 |
        sort -z | xargs -0 sha1sum) | sha1sum | cut -c1-16
}

# The Odoo and OCA modules the OMS addons depend on, comma-separated.
addons_dependencies() {
    "$OMS_VENV/bin/python" - "$OMS_ROOT/addons" <<'PY'
import ast, pathlib, sys
root = pathlib.Path(sys.argv[1])
ours = {p.parent.name for p in root.glob("*/__manifest__.py")}
deps = set()
for manifest in root.glob("*/__manifest__.py"):
    deps |= set(ast.literal_eval(manifest.read_text()).get("depends", []))
print(",".join(sorted(deps - ours)))
PY
}

# run_odoo_init LOG ARGS...: an Odoo install/update run that stops when done.
# The log goes to a file; on failure its end is shown and the script stops.
run_odoo_init() {
    local log=$1
    shift
    mkdir -p "$(dirname "$log")"
    : >"$log" # Odoo appends to its log file: start each run on an empty one
    if ! odoo_bin "$@" --stop-after-init --logfile="$log" --log-level=info; then
        tail -n 30 "$log" >&2
        die "Odoo stopped with an error (above); the whole log is $log."
    fi
    if grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log"; then
        grep -E -A 15 '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" | head -n 40 >&2
        die "Odoo logged errors while installing (above); the whole log is $log."
    fi
}

# ensure_db CONF DB: database DB with the OMS addons (and demo data when new) up
# to date with the addons' files; created, completed or updated as needed.
ensure_db() {
    local conf=$1 db=$2 logs="$OMS_LOCAL/logs"
    local stamp="$OMS_LOCAL/addons-$db.stamp"
    if ! db_exists "$db"; then
        say "Creating the database '$db' with the OMS addons and demo data (a few minutes, once)"
        note "log: $logs/install-$db.log"
        if ! (run_odoo_init "$logs/install-$db.log" -c "$conf" -d "$db" -i "$OMS_ADDONS"); then
            drop_db "$db" >/dev/null 2>&1 || true
            exit 1
        fi
        addons_hash >"$stamp"
        return 0
    fi
    local missing
    missing=$(db_missing_addons "$db")
    if [ -n "$missing" ]; then
        say "Installing $missing in '$db'"
        run_odoo_init "$logs/install-$db.log" -c "$conf" -d "$db" -i "$missing"
        addons_hash >"$stamp"
    fi
    if [ "$(cat "$stamp" 2>/dev/null)" != "$(addons_hash)" ]; then
        say "The addons changed since '$db' last saw them: updating them"
        note "log: $logs/update-$db.log"
        run_odoo_init "$logs/update-$db.log" -c "$conf" -d "$db" -u "$OMS_ADDONS"
        addons_hash >"$stamp"
    fi
}
