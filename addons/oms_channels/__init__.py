# Odoo loads this addon as odoo.addons.oms_channels. The pure packages
# (channel_clients, channel_mappers) are also imported on their own by their
# tests ("make unit"), without Odoo: then the ORM parts are left out.
if __name__.startswith("odoo.addons."):
    from . import controllers
    from . import models
    from . import report
    from . import wizards
