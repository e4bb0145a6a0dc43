"""Print the pins of Odoo's requirements.txt chosen for Python 3.12.

Odoo 18.0 pins its requirements per Python version; the Python 3.11 pins are
old releases without wheels for current toolchains, while the Python 3.12 pins
all ship manylinux wheels for CPython 3.11 too and work with Odoo 18.0.  This
script reads ``$ODOO_SRC/requirements.txt``, evaluates each environment marker
as if the interpreter were CPython 3.12 on Linux and prints the result, one
requirement per line, for ``pip install -r``.

Skipped on purpose: ``python-ldap`` (only the optional ``auth_ldap`` addon
needs it and it builds from source against OpenLDAP headers).
"""

import sys
from pathlib import Path

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
except ImportError:  # a bare virtualenv: use the copy that pip vendors
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import Requirement

SKIPPED = {"python-ldap"}


def odoo_pins(requirements_file):
    environment = default_environment()
    environment.update(
        python_version="3.12",
        python_full_version="3.12.0",
        sys_platform="linux",
        platform_system="Linux",
    )
    for raw_line in Path(requirements_file).read_text().splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.name.lower() in SKIPPED:
            continue
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        requirement.marker = None
        yield str(requirement)


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: odoo_requirements.py ODOO_SRC/requirements.txt")
    for pin in odoo_pins(argv[1]):
        print(pin)


if __name__ == "__main__":
    main(sys.argv)
