#!/usr/bin/env bash
# make install-check: install each OMS addon alone, with only the dependencies
# its manifest names, in a scratch database; then drop the database.
# Usage: scripts/install_check.sh [ADDON...]   (default: all of OMS_ADDONS)
source "$(dirname "$0")/common.sh"
source "$OMS_ROOT/scripts/db.sh"

"$OMS_ROOT/scripts/setup.sh"
[ "$#" -gt 0 ] || set -- ${OMS_ADDONS//,/ }
failed=()
for addon in "$@"; do
    db="${OMS_DB}_check_$addon"
    drop_db "$db" >/dev/null
    say "Installing $addon alone into '$db'"
    start=$(date +%s)
    if (run_odoo_init "$OMS_LOCAL/logs/check-$addon.log" -c "$OMS_LOCAL/odoo-test.conf" \
        -d "$db" -i "$addon" --without-demo=all); then
        note "$addon installs on its own ($(($(date +%s) - start)) s)"
    else
        failed+=("$addon")
    fi
    drop_db "$db" >/dev/null
done
[ "${#failed[@]}" -eq 0 ] || die "These addons do not install on their own: ${failed[*]}"
