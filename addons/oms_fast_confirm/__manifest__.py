{
    "name": "OMS Fast Batch Confirmation",
    "summary": "Opt-in: orders confirmed together confirm their deliveries together, "
    "reaching into stock's and mail's internals to do it",
    "version": "18.0.1.0.0",
    "category": "Sales/Order Management",
    "license": "LGPL-3",
    "author": "OMS for Odoo contributors",
    "website": "https://github.com/oms-odoo/oms",
    # What it overrides: sale_stock's stock rule launch, stock's rule search,
    # reservation and move states, mail's message post on deliveries; and
    # oms_core's held-units hook.
    "depends": ["sale_stock", "oms_core"],
    "data": [],
    "auto_install": False,
    "installable": True,
}
