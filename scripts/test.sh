#!/usr/bin/env bash
# make test:   set up what is missing, lint, build a fresh test database with the
#              six OMS addons (no demo data) and run every test in one pytest run;
#              then install the opt-in addons into a copy of it and run their tests
#              and those of what they speed up (OPT_IN_TESTS).
# make pytest: run pytest against the existing test database (built if missing);
#              ARGS="..." picks tests, e.g. ARGS="addons/oms_core" or a node id.
# Both install the opt-in addons OMS_OPT_ADDONS names in the test database too;
# the tests of an opt-in addon the test database does not have are not collected.
# Usage: scripts/test.sh [--reuse-db] [PYTEST ARGS...]
source "$(dirname "$0")/common.sh"
source "$OMS_ROOT/scripts/db.sh"

# Opt-in addons: never in the default run, tested on a database that has them.
OMS_ADDONS=$(with_opt_addons)
OPT_IN_TESTS=(
    addons/oms_fast_intake addons/oms_fast_confirm
    addons/oms_core/tests/test_oms_batch_confirm.py
    addons/oms_channels/tests/test_oms_channel_webhook.py
    addons/oms_channels/tests/test_oms_channel_reliability.py
    addons/oms_channels/tests/test_oms_channel_import.py
)

reuse_db=0
if [ "${1:-}" = "--reuse-db" ]; then
    reuse_db=1
    shift
fi

"$OMS_ROOT/scripts/setup.sh"
[ "$reuse_db" = 1 ] || "$OMS_ROOT/scripts/lint.sh"

conf="$OMS_LOCAL/odoo-test.conf"
logs="$OMS_LOCAL/logs"

# The Odoo and OCA modules our addons stand on take minutes to install and never
# change between runs: they are installed once into a template database, named
# after what they depend on, that each run copies.  Our addons are installed
# fresh into that copy on every run.
build_base_template() {
    local deps key
    deps=$(addons_dependencies)
    key=$( (echo "$deps"; cat "$OMS_VENV/.oms-installed"; stat -c %Y "$ODOO_SRC/odoo/release.py") |
        sha1sum | cut -c1-10)
    BASE_DB="${OMS_TEST_DB}_base_$key"
    db_exists "$BASE_DB" && return 0
    local stale
    for stale in $(pg_psql -tA -c "SELECT datname FROM pg_database WHERE datname LIKE '${OMS_TEST_DB}\\_base\\_%'"); do
        drop_db "$stale" >/dev/null
    done
    say "Installing Odoo's modules for the tests into the template '$BASE_DB' (once, a few minutes)"
    note "modules: $deps"
    note "log: $logs/test-base-$OMS_TEST_DB.log"
    if ! (run_odoo_init "$logs/test-base-$OMS_TEST_DB.log" -c "$conf" -d "$BASE_DB" -i "$deps" --without-demo=all); then
        drop_db "$BASE_DB" >/dev/null 2>&1 || true
        exit 1
    fi
}

fresh_test_db() {
    build_base_template
    say "Building the test database '$OMS_TEST_DB' (no demo data)"
    drop_db "$OMS_TEST_DB" >/dev/null
    copy_db "$BASE_DB" "$OMS_TEST_DB" >/dev/null
    note "log: $logs/test-install-$OMS_TEST_DB.log"
    run_odoo_init "$logs/test-install-$OMS_TEST_DB.log" -c "$conf" -d "$OMS_TEST_DB" -i "$OMS_ADDONS" --without-demo=all
    addons_hash >"$OMS_LOCAL/addons-$OMS_TEST_DB.stamp"
}

if [ "$reuse_db" = 0 ] || ! db_exists "$OMS_TEST_DB" || [ -n "$(db_missing_addons "$OMS_TEST_DB")" ]; then
    fresh_test_db
elif [ "$(cat "$OMS_LOCAL/addons-$OMS_TEST_DB.stamp" 2>/dev/null)" != "$(addons_hash)" ]; then
    say "The addons changed: updating them in '$OMS_TEST_DB'"
    run_odoo_init "$logs/test-update-$OMS_TEST_DB.log" -c "$conf" -d "$OMS_TEST_DB" -u "$OMS_ADDONS"
    addons_hash >"$OMS_LOCAL/addons-$OMS_TEST_DB.stamp"
fi

# The opt-in addons' tests load their code: never against a database without them.
installed=$(pg_psql -d "$OMS_TEST_DB" -tA -c "SELECT name FROM ir_module_module WHERE state = 'installed'")
ignored=()
for addon in ${OMS_OPT_IN_ADDONS//,/ }; do
    grep -qx "$addon" <<<"$installed" && continue
    ignored+=("--ignore=addons/$addon")
    for arg in "$@"; do # pytest collects a path named on its command line even so
        if [[ "$arg" == "addons/$addon" || "$arg" == "addons/$addon/"* ]]; then
            die "'$OMS_TEST_DB' does not have the opt-in addon $addon, whose tests $arg names.
Run them on a test database that has it: OMS_OPT_ADDONS=$addon make pytest ARGS=\"$*\""
        fi
    done
done

# make test, without OMS_OPT_ADDONS: a copy of the test database with every
# opt-in addon, for the step that follows the main run.
opt_db=""
if [ "$reuse_db" = 0 ] && [ "$#" = 0 ] && [ "${#ignored[@]}" -gt 0 ]; then
    opt_db="${OMS_TEST_DB}_opt"
    say "Installing the opt-in addons ($OMS_OPT_IN_ADDONS) into '$opt_db', a copy of '$OMS_TEST_DB'"
    drop_db "$opt_db" >/dev/null
    copy_db "$OMS_TEST_DB" "$opt_db" >/dev/null
    note "log: $logs/test-install-$opt_db.log"
    run_odoo_init "$logs/test-install-$opt_db.log" -c "$conf" -d "$opt_db" -i "$OMS_OPT_IN_ADDONS" --without-demo=all
fi

[ "$#" -gt 0 ] || set -- addons tests
# tests/test_serve.py runs make serve on a copy of the test database.
if [[ " $* " == *" tests"* ]]; then
    export OMS_SERVE_TEST_DB="${OMS_TEST_DB}_serve"
    drop_db "$OMS_SERVE_TEST_DB" >/dev/null
    copy_db "$OMS_TEST_DB" "$OMS_SERVE_TEST_DB" >/dev/null
    cp "$OMS_LOCAL/addons-$OMS_TEST_DB.stamp" "$OMS_LOCAL/addons-$OMS_SERVE_TEST_DB.stamp"
fi
say "Running the tests: pytest $*"
cd "$OMS_ROOT"
if [ -z "$opt_db" ]; then
    exec "$OMS_VENV/bin/pytest" --odoo-config "$conf" --odoo-database "$OMS_TEST_DB" --odoo-http \
        "${ignored[@]}" "$@"
fi
status=0
"$OMS_VENV/bin/pytest" --odoo-config "$conf" --odoo-database "$OMS_TEST_DB" --odoo-http \
    "${ignored[@]}" "$@" || status=$?
say "Running the opt-in addons' tests on '$opt_db': pytest ${OPT_IN_TESTS[*]}"
"$OMS_VENV/bin/pytest" --odoo-config "$conf" --odoo-database "$opt_db" --odoo-http \
    "${OPT_IN_TESTS[@]}" || status=$((status ? status : $?))
exit "$status"
