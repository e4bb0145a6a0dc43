from . import intake

# In front of Odoo's dispatch as soon as the addon is imported, however it is
# (not in a post_load hook: Odoo skips the hook when something imported the
# addon first, as test runners do). Inert for a database without the addon.
intake.install()
