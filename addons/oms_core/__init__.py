# Odoo loads this addon as odoo.addons.oms_core. The pure http_core package is
# also imported on its own by the API clients' unit tests, without Odoo: then the
# ORM parts are left out.
if __name__.startswith("odoo.addons."):
    from . import models
    from . import report
    from . import wizards
    from .hooks import post_init_hook
