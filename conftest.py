"""The pure-Python runs ("make unit": ``pytest -p no:odoo``) import the addons'
plain packages (``oms_core.http_core``, ``oms_channels.channel_clients``, ...) with
``addons/`` on ``sys.path``. Importing them must not run the addons' own
``__init__.py``, which loads their Odoo models: here each addon is registered as
a bare package of its folder first. Under pytest-odoo (Odoo's runs) nothing is
done: the addons load as ``odoo.addons.<name>``, as in Odoo.
"""

import sys
import types
from pathlib import Path

ADDONS = Path(__file__).parent / "addons"


def pytest_configure(config):
    if config.pluginmanager.has_plugin("odoo"):
        return
    for manifest in sorted(ADDONS.glob("*/__manifest__.py")):
        name = manifest.parent.name
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(manifest.parent)]
            package.__package__ = name
            sys.modules[name] = package
