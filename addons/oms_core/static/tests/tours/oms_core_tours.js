import { registry } from "@web/core/registry";

// An OMS User finds the Order Management app and its order queue.
registry.category("web_tour.tours").add("oms_core_open_order_management", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Order Management app",
            trigger: '.o_app[data-menu-xmlid="oms_core.oms_menu_root"]',
            run: "click",
        },
        {
            content: "The app is open",
            trigger: '.o_menu_brand:contains("Order Management")',
        },
        {
            content: "Its order queue is shown",
            trigger: '.o_breadcrumb:contains("Orders")',
        },
        {
            content: "The queue lists orders",
            trigger: ".o_list_view .o_list_table",
        },
    ],
});

// A portal customer opens the portal home, then the account security page.
registry.category("web_tour.tours").add("oms_core_portal_home", {
    url: "/my",
    steps: () => [
        {
            content: "The portal home is shown",
            trigger: ".o_portal_my_home",
        },
        {
            content: "Open Connection & Security",
            trigger: '.o_portal_my_home a[href="/my/security"]',
            run: "click",
        },
        {
            content: "The security page asks for the current password",
            trigger: '.o_portal_security_body input[name="old"]',
        },
    ],
});
