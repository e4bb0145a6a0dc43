{
    "name": "OMS Channels",
    "summary": "Orders from Shopify, WooCommerce, Amazon and files land once; stock, "
    "tracking and cancellations go back",
    "version": "18.0.1.14.0",
    "category": "Sales/Order Management",
    "license": "LGPL-3",
    "author": "OMS for Odoo contributors",
    "website": "https://github.com/oms-odoo/oms",
    "depends": ["oms_core", "delivery"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/oms_channels_security.xml",
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "data/ir_cron_data.xml",
        "data/oms_health_check_data.xml",
        "views/oms_channel_inbox_views.xml",
        "views/oms_channel_views.xml",
        "views/oms_channels_menus.xml",
    ],
    "demo": ["demo/oms_channel_demo.xml"],
    "installable": True,
}
