#!/usr/bin/env bash
# Install what is missing and bring up the project's PostgreSQL cluster.
# Idempotent: every step checks first and does nothing when all is in place.
#   scripts/setup.sh            all steps
#   scripts/setup.sh STEP...    some of: system odoo python postgres config
source "$(dirname "$0")/common.sh"

# Debian packages: name of the package, then the file that proves it is there.
SYSTEM_PACKAGES=(
    "postgresql-15 $PG_BINDIR/initdb"
    "postgresql-client-15 /usr/bin/psql"
    "libpq-dev /usr/bin/pg_config"
    "build-essential /usr/bin/gcc"
    "git /usr/bin/git"
    "wkhtmltopdf /usr/bin/wkhtmltopdf"
    "chromium /usr/bin/chromium"
    "fonts-dejavu-core /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    "iproute2 /usr/bin/ss"
)

step_system() {
    local missing=() entry
    for entry in "${SYSTEM_PACKAGES[@]}"; do
        [ -e "${entry#* }" ] || missing+=("${entry%% *}")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "Installing system packages: ${missing[*]}"
    command -v apt-get >/dev/null 2>&1 ||
        die "apt-get is not available, so these Debian packages cannot be installed: ${missing[*]}.
Install them (or their equivalents) with your system's package manager, then run the command again."
    as_root true 2>/dev/null ||
        die "Installing ${missing[*]} needs root. Run the command as root, install sudo, or install them yourself:
    apt-get install ${missing[*]}"
    as_root apt-get update -qq ||
        die "'apt-get update' failed. Check the machine's package sources, or install ${missing[*]} yourself."
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
        die "'apt-get install ${missing[*]}' failed (see above). Install them yourself, then run the command again."
}

odoo_version_of() {
    # Prints the major.minor version of the Odoo source at $1, or nothing.
    [ -f "$1/odoo/release.py" ] && [ -f "$1/odoo-bin" ] && [ -d "$1/addons" ] || return 0
    "$OMS_PYTHON" - "$1/odoo/release.py" <<'PY'
import sys
scope = {}
exec(open(sys.argv[1]).read(), scope)
print("%s.%s" % scope["version_info"][:2])
PY
}

step_odoo() {
    if [ ! -e "$ODOO_SRC" ]; then
        say "Odoo source not found in $ODOO_SRC: trying a shallow clone of Odoo 18.0"
        mkdir -p "$(dirname "$ODOO_SRC")" 2>/dev/null || true
        if ! GIT_TERMINAL_PROMPT=0 timeout 1800 git clone --quiet --depth 1 --branch 18.0 \
            "$OMS_ODOO_GIT_URL" "$ODOO_SRC"; then
            rm -rf "$ODOO_SRC"
            die "Odoo 18.0 source is missing and could not be cloned from $OMS_ODOO_GIT_URL.
Provide a copy of Odoo 18.0 Community (the folder that holds odoo-bin, odoo/ and addons/)
in $ODOO_SRC, or point ODOO_SRC at one: ODOO_SRC=/path/to/odoo make ..."
        fi
    fi
    local version
    version=$(odoo_version_of "$ODOO_SRC")
    [ "$version" = "18.0" ] ||
        die "$ODOO_SRC is not an Odoo 18.0 source tree (found: ${version:-no odoo-bin, odoo/release.py and addons/}).
Point ODOO_SRC at a copy of Odoo 18.0 Community: ODOO_SRC=/path/to/odoo-18.0 make ..."
}

python_stamp() {
    cat "$OMS_ROOT/requirements.txt" "$OMS_ROOT/constraints.txt" "$ODOO_SRC/requirements.txt" \
        "$OMS_ROOT/scripts/odoo_requirements.py" | sha1sum | cut -c1-16
    echo "$ODOO_SRC"
}

step_python() {
    local stamp="$OMS_VENV/.oms-installed"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(python_stamp)" ] &&
        "$OMS_VENV/bin/python" -c "import odoo" 2>/dev/null; then
        return 0
    fi
    command -v "$OMS_PYTHON" >/dev/null 2>&1 ||
        die "$OMS_PYTHON was not found. Install Python 3.11 (or set OMS_PYTHON to a Python 3.10-3.12 interpreter)."
    if [ ! -x "$OMS_VENV/bin/python" ]; then
        say "Creating the virtualenv in $OMS_VENV"
        "$OMS_PYTHON" -m venv "$OMS_VENV" ||
            die "Could not create a virtualenv with $OMS_PYTHON. On Debian: apt-get install python3-venv."
    fi
    local pip=("$OMS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check
        -c "$OMS_ROOT/constraints.txt")
    say "Installing Odoo's Python requirements (the Python 3.12 pins of $ODOO_SRC/requirements.txt)"
    "$OMS_VENV/bin/python" "$OMS_ROOT/scripts/odoo_requirements.py" "$ODOO_SRC/requirements.txt" \
        >"$OMS_VENV/odoo-requirements.txt"
    "${pip[@]}" setuptools wheel
    "${pip[@]}" -r "$OMS_VENV/odoo-requirements.txt"
    say "Installing Odoo 18.0 from $ODOO_SRC into the virtualenv (editable)"
    "${pip[@]}" --no-build-isolation --no-deps -e "$ODOO_SRC"
    say "Installing the project's requirements (requirements.txt)"
    "${pip[@]}" -r "$OMS_ROOT/requirements.txt"
    "$OMS_VENV/bin/python" - <<'PY' || die "The virtualenv in $OMS_VENV is incomplete (above); delete it and run again."
from importlib.metadata import version
from importlib.util import find_spec

import odoo.release

assert odoo.release.series == "18.0", odoo.release.series
assert version("odoo").startswith("18.0"), "pip knows odoo as %s" % version("odoo")
assert version("odoo-addon-queue_job").startswith("18.0.")
assert find_spec("odoo.addons.queue_job"), "queue_job is not under odoo.addons"
PY
    python_stamp >"$stamp"
}

step_postgres() { "$OMS_ROOT/scripts/postgres.sh" start; }

step_config() {
    mkdir -p "$OMS_LOCAL" "$OMS_DATA_DIR"
    local master="$OMS_LOCAL/master-password"
    [ -s "$master" ] || (umask 077 && "$OMS_PYTHON" -c "import secrets; print(secrets.token_urlsafe(24))" >"$master")
    write_config "$OMS_LOCAL/odoo.conf" "$OMS_DB" "$OMS_HTTP_PORT" "base,web,queue_job" "root:2" 1
    # Tests: no job runner (jobs are run in the test itself), a port of their own.
    write_config "$OMS_LOCAL/odoo-test.conf" "$OMS_TEST_DB" 0 "base,web" "root:0" 0
}

steps=("$@")
[ "${#steps[@]}" -gt 0 ] || steps=(system odoo python postgres config)
for step in "${steps[@]}"; do
    "step_$step"
done
