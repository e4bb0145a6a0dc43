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
            content: "The dashboard opens first",
            trigger: '.o_breadcrumb:contains("Dashboard")',
        },
        {
            content: "Open the Orders menu",
            trigger: '.o_menu_sections button[data-menu-xmlid="oms_core.oms_menu_orders"]',
            run: "click",
        },
        {
            content: "Open the order queue",
            trigger: '.dropdown-item[data-menu-xmlid="oms_core.sale_order_menu"]',
            run: "click",
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

// An OMS User works the holds queue: releases a hold with a note and sees the
// order move on.
registry.category("web_tour.tours").add("oms_core_release_hold", {
    url: "/odoo/oms-holds",
    steps: () => [
        {
            content: "Open the held order's hold",
            trigger: '.o_list_view .o_data_row td[name="order_id"]:contains("OMS-TOUR-1")',
            run: "click",
        },
        {
            content: "Release it",
            trigger: '.o_form_view .o_statusbar_buttons button:contains("Release")',
            run: "click",
        },
        {
            content: "Say why",
            trigger: '.modal div[name="note"] textarea',
            run: "edit Customer called back, order is genuine",
        },
        {
            content: "Confirm the release",
            trigger: '.modal button[name="action_release"]',
            run: "click",
        },
        {
            content: "The hold is overridden",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Overridden")',
        },
        {
            content: "Open the order",
            trigger: '.o_form_view div[name="order_id"] a',
            run: "click",
        },
        {
            content: "The order moved on to routed",
            trigger: '.o_form_view div[name="oms_badges"]:contains("Routed")',
        },
    ],
});

// An OMS Manager opens the integration health dashboard and a check's records.
registry.category("web_tour.tours").add("oms_core_integration_health", {
    url: "/odoo/oms-health",
    steps: () => [
        {
            content: "The failed jobs check shows its count",
            trigger: '.o_kanban_record:contains("Failed background jobs") .badge:contains("1")',
            run: "click",
        },
        {
            content: "Its jobs open, grouped by job channel",
            trigger: '.o_list_view .o_group_header:contains("root")',
        },
        {
            content: "under the check's name",
            trigger: '.o_breadcrumb:contains("Failed background jobs")',
        },
    ],
});
