{
    "name": "OMS Carriers",
    "summary": "Rate shopping, labels, customs papers, hazmat and tracking through carrier APIs",
    "version": "18.0.1.2.0",
    "category": "Inventory/Delivery",
    "license": "LGPL-3",
    "author": "OMS for Odoo contributors",
    "website": "https://github.com/oms-odoo/oms",
    "depends": ["oms_core", "stock_delivery"],
    "external_dependencies": {"python": ["requests", "zeep"]},
    "data": [
        "security/oms_carriers_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/delivery_carrier_views.xml",
        "views/oms_carriers_menus.xml",
    ],
    "installable": True,
}
