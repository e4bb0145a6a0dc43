import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

/** Request one unit of ``product`` for ``reason`` on the portal return form. */
function returnOne(product, reason) {
    return [
        {
            content: `Return one ${product}`,
            trigger: `.o_oms_return_form tr:contains("${product}") input[name^="qty_"]`,
            run: "edit 1",
        },
        {
            content: "Say why",
            trigger: `.o_oms_return_form tr:contains("${product}") select[name^="reason_"]`,
            run: `selectByLabel ${reason}`,
        },
        {
            content: "Send the request",
            trigger: "#o_oms_return_submit",
            run: "click",
            expectUnloadPage: true,
        },
    ];
}

const downloadLabel = {
    content: "Download the label",
    trigger: "a.o_oms_return_label",
    async run() {
        const response = await fetch(this.anchor.getAttribute("href"));
        const body = new Uint8Array(await response.arrayBuffer());
        const head = String.fromCharCode(...body.slice(0, 4));
        if (!response.ok || !["%PDF", "^XA"].some((magic) => head.startsWith(magic))) {
            throw new Error(`The label did not download (${response.status} ${head})`);
        }
    },
};

// Approved at once; the label is bought in the background and on its way.
const approvedLabelComing = [
    {
        content: "The request is approved",
        trigger: '.o_oms_return_state:contains("Approved")',
    },
    {
        content: "and its label on its way, with a refresh hint",
        trigger: '.o_oms_return_label_coming:contains("Refresh this page")',
    },
];

// A signed-in customer returns one of the two lines of an order and downloads the label.
tours.add("oms_returns_portal_signed_in", {
    steps: () => [
        {
            content: "The order offers its return",
            trigger: "#o_oms_return_items",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Both lines can be returned, with the days left",
            trigger: '.o_oms_return_form:contains("Tour Plate"):contains("days left")',
        },
        ...returnOne("Tour Mug", "Too small"),
        ...approvedLabelComing,
        {
            content: "Only the mug comes back",
            trigger: '.o_oms_return table:contains("Tour Mug"):not(:contains("Tour Plate"))',
        },
    ],
});

// Once the job has bought it: the request's page offers the label, which downloads.
tours.add("oms_returns_portal_download_label", {
    steps: () => [
        {
            content: "The label has come",
            trigger: '.o_oms_return_state:contains("Label sent")',
        },
        {
            content: "no more waiting for it",
            trigger: ".o_oms_return:not(:has(.o_oms_return_label_coming))",
        },
        downloadLabel,
    ],
});

// From an order page: return one unit of its first line; its label comes by a job
// (then oms_returns_portal_download_label).
tours.add("oms_returns_portal_return_first_line", {
    steps: () => [
        {
            content: "The order offers its return",
            trigger: "#o_oms_return_items",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Return one of the first item",
            trigger: '.o_oms_return_form tbody tr:has(input[name^="qty_"]):first input[name^="qty_"]',
            run: "edit 1",
        },
        {
            content: "Say why",
            trigger: '.o_oms_return_form tbody tr:has(input[name^="qty_"]):first select[name^="reason_"]',
            run: "selectByLabel Too small",
        },
        {
            content: "Send the request",
            trigger: "#o_oms_return_submit",
            run: "click",
            expectUnloadPage: true,
        },
        ...approvedLabelComing,
    ],
});

// A guest finds the order by its reference and email, then asks for a return.
tours.add("oms_returns_portal_guest", {
    url: "/returns",
    steps: () => [
        {
            content: "Order reference",
            trigger: "input[name=reference]",
            run: "edit RET-TOUR-GUEST",
        },
        {
            content: "Email used for the order",
            trigger: "input[name=contact]",
            run: "edit guest.returner@example.com",
        },
        {
            content: "Find it",
            trigger: ".o_oms_guest_returns button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        ...returnOne("Tour Mug", "Changed my mind"),
        {
            content: "The guest sees the request",
            trigger: '.o_oms_return h2:contains("Return")',
        },
        {
            content: "and where it stands",
            trigger: '.o_oms_return_state:contains("Approved")',
        },
    ],
});

// The back office approves, receives, inspects (back to stock) and refunds.
tours.add("oms_returns_back_office", {
    steps: () => [
        {
            content: "Approve the request",
            trigger: '.o_form_view button[name="action_approve"]',
            run: "click",
        },
        {
            content: "Approved, the label bought in the background",
            trigger: '.o_form_view .o_statusbar_status .o_arrow_button_current:contains("Approved")',
        },
        {
            content: "The parcel is here",
            trigger: '.o_form_view button[name="action_receive"]',
            run: "click",
        },
        {
            content: "The request is received",
            trigger: '.o_form_view .o_statusbar_status .o_arrow_button_current:contains("Received")',
        },
        {
            content: "Inspect the returned line",
            trigger: '.o_field_widget[name="line_ids"] .o_data_row .o_data_cell[name="disposition"]',
            run: "click",
        },
        {
            content: "It goes back to stock",
            trigger: '.o_field_widget[name="line_ids"] .o_data_row [name="disposition"] select',
            run: 'select "restock"',
        },
        {
            content: "Inspection done",
            trigger: '.o_form_view button[name="action_inspect"]',
            run: "click",
        },
        {
            content: "The request is inspected",
            trigger: '.o_form_view .o_statusbar_status .o_arrow_button_current:contains("Inspected")',
        },
        {
            content: "Refund",
            trigger: '.o_form_view button[name="action_refund"]',
            run: "click",
        },
        {
            content: "The request is refunded",
            trigger: '.o_form_view .o_statusbar_status .o_arrow_button_current:contains("Refunded")',
        },
    ],
});

// The customer sees the refund on the portal.
tours.add("oms_returns_portal_refunded", {
    steps: () => [
        {
            content: "The request says Refunded",
            trigger: '.o_oms_return_state:contains("Refunded")',
        },
    ],
});

// A guest with the request's link follows the return parcel and sees the refund.
tours.add("oms_returns_portal_parcel_and_refund", {
    steps: () => [
        {
            content: "The return parcel's card, with its tracking link",
            trigger: ".o_oms_return_parcels .o_oms_parcel a.o_oms_parcel_link",
        },
        {
            content: "Its journey: in transit, then delivered to the warehouse",
            trigger:
                ".o_oms_return_parcels .o_oms_parcel_event[data-status='in_transit'] ~ .o_oms_parcel_event[data-status='delivered']",
        },
        {
            content: "The refund: how much and where it went",
            trigger: ".o_oms_return_refund .o_oms_return_refund_where:contains('deducted from invoice')",
        },
    ],
});
