# Odoo loads this addon as odoo.addons.oms_routing. The pure routing_engine package
# is also imported on its own by its tests ("make unit"), without Odoo.
if __name__.startswith("odoo.addons."):
    from . import models
    from . import wizards
