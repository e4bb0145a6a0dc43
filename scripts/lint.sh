#!/usr/bin/env bash
# make lint: ruff's checks and formatting, on the whole project.
source "$(dirname "$0")/common.sh"
[ -x "$OMS_VENV/bin/ruff" ] || "$OMS_ROOT/scripts/setup.sh" odoo python
cd "$OMS_ROOT"
say "Linting: ruff check, ruff format --check"
"$OMS_VENV/bin/ruff" check . || die "ruff check found problems (above). 'make format' fixes what it can."
"$OMS_VENV/bin/ruff" format --check . || die "Some files are not formatted (above). Run 'make format'."
