{
    "name": "OMS Core",
    "summary": "One queue of orders from every sales channel, with OMS groups and menus",
    "version": "18.0.1.0.0",
    "category": "Sales/Order Management",
    "license": "LGPL-3",
    "author": "OMS for Odoo contributors",
    "website": "https://github.com/oms-odoo/oms",
    "depends": ["sale_stock", "account", "mail", "portal", "queue_job"],
    "data": [
        "security/oms_core_security.xml",
        "security/ir.model.access.csv",
        "data/oms_channel_data.xml",
        "views/oms_channel_views.xml",
        "views/sale_order_views.xml",
        "views/oms_core_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "oms_core/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
