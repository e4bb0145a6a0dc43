#!/usr/bin/env bash
# make lint: ruff's checks and formatting on the whole project, then the OCA's
# pylint-odoo checks (.pylintrc) on every addon.
source "$(dirname "$0")/common.sh"
[ -x "$OMS_VENV/bin/ruff" ] && [ -x "$OMS_VENV/bin/pylint" ] || "$OMS_ROOT/scripts/setup.sh" odoo python
cd "$OMS_ROOT"
say "Linting: ruff check, ruff format --check, pylint-odoo"
"$OMS_VENV/bin/ruff" check . || die "ruff check found problems (above). 'make format' fixes what it can."
"$OMS_VENV/bin/ruff" format --check . || die "Some files are not formatted (above). Run 'make format'."
addons=()
for manifest in addons/*/__manifest__.py; do addons+=("$(dirname "$manifest")"); done
"$OMS_VENV/bin/pylint" --rcfile=.pylintrc "${addons[@]}" ||
    die "pylint-odoo found problems (above); .pylintrc says which checks run and why."
