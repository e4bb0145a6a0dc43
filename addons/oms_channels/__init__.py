# Odoo loads this addon as odoo.addons.oms_channels. The pure packages
# (channel_clients, channel_mappers) are also imported on their own by their
# tests ("make unit"), without Odoo: then the ORM parts are left out.
if __name__.startswith("odoo.addons."):
    from . import controllers
    from . import models
    from . import report
    from . import wizards

    # The webhook intake goes in front of Odoo's dispatch as soon as the addon is
    # imported, however it is (not in a post_load hook: Odoo skips the hook when
    # something imported the addon first, as test runners do).
    controllers.intake.install()
