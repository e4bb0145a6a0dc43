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
