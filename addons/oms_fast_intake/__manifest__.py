{
    "name": "OMS Fast Webhook Intake",
    "summary": "Opt-in: channel webhooks stored and acknowledged ahead of Odoo's request "
    "dispatch, by a wrapper of Odoo's WSGI application",
    "version": "18.0.1.0.0",
    "category": "Sales/Order Management",
    "license": "LGPL-3",
    "author": "OMS for Odoo contributors",
    "website": "https://github.com/oms-odoo/oms",
    # What it patches: Odoo's WSGI entry point (base, odoo.http) in front of
    # oms_channels' webhook route, whose records it writes.
    "depends": ["oms_channels"],
    "external_dependencies": {"python": ["psycopg2"]},
    "data": [],
    "auto_install": False,
    "installable": True,
}
