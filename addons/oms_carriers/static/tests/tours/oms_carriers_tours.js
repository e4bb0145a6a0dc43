import { registry } from "@web/core/registry";

// A warehouse user shops the rates of a delivery, validates it and prints the label.
registry.category("web_tour.tours").add("oms_carriers_ship_a_delivery", {
    steps: () => [
        {
            content: "Ask every carrier for a quote",
            trigger: '.o_form_view button[name="action_oms_shop_rates"]',
            run: "click",
        },
        {
            content: "Open the quotes",
            trigger: '.o_notebook .nav-link:contains("Quotes")',
            run: "click",
        },
        {
            content: "Several quotes, one chosen with its reason",
            trigger:
                '.o_field_widget[name="oms_shipping_quote_ids"] .o_data_row:contains("cheapest")',
        },
        {
            content: "and the others with theirs",
            trigger: '.o_field_widget[name="oms_shipping_quote_ids"] .o_data_row:nth-child(2)',
        },
        {
            content: "Validate the delivery: the label is bought",
            trigger: '.o_form_view button[name="button_validate"]',
            run: "click",
        },
        {
            content: "The delivery is done",
            trigger: '.o_form_view .o_statusbar_status .o_arrow_button_current:contains("Done")',
        },
        {
            content: "Print the labels",
            trigger: '.o_form_view button[name="action_oms_print_labels"]',
            run: "click",
        },
        {
            content: "The label's tracking number is on the delivery",
            trigger: '.o_notebook .nav-link:contains("Labels")',
            run: "click",
        },
        {
            content: "with its tracking number",
            trigger: '.o_field_widget[name="oms_carrier_shipment_ids"] .o_data_row',
        },
    ],
});

// A guest follows the parcels of their order from its page (the order's link).
registry.category("web_tour.tours").add("oms_carriers_portal_parcels", {
    steps: () => [
        {
            content: "One card per parcel, with its tracking link",
            trigger: "#oms_parcels .o_oms_parcel a.o_oms_parcel_link",
        },
        {
            content: "The carrier's events in time order: picked up, then out for delivery",
            trigger:
                "#oms_parcels .o_oms_parcel_event:first-child[data-status='in_transit'] + .o_oms_parcel_event[data-status='out_for_delivery']",
        },
        {
            content: "The promised date, and it is late",
            trigger: "#oms_parcels .o_oms_parcel .o_oms_parcel_late",
        },
    ],
});
