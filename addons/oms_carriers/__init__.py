# Odoo loads this addon as odoo.addons.oms_carriers. The pure carrier_clients
# package is also imported on its own by its tests ("make unit"), without Odoo.
if __name__.startswith("odoo.addons."):
    from . import controllers
    from . import models
