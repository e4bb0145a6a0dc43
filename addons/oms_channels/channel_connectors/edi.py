"""EDI (X12 850 / EDIFACT ORDERS): purchase orders of a trading partner in
interchange files dropped in a folder; acknowledgements and notices written to
another. No HTTP API, no webhooks: the scheduled pull reads the folder."""

from ..channel_edi import read_orders
from ..channel_edi.documents import map_purchase_order
from .base import ChannelConnector, register


@register("edi")
class EdiConnector(ChannelConnector):
    label = "EDI (X12 / EDIFACT)"
    credential_fields = ("edi_standard", "edi_inbox_path", "edi_outbox_path")
    secret_fields = ()
    pulls_orders = True
    pull_setting = "edi_inbox_path"
    # The Odoo side tells the partner what shipped in an 856 / DESADV file.
    pushes_shipments = False
    pushes_cancellations = False
    keeps_listings = False
    imports_from_creation = False
    reads_folder = True

    def locate(self, payload):
        return payload.get("number"), payload.get("version"), "number"

    def map_order(self, body, **options):
        return map_purchase_order(body)

    def read_interchange(self, text):
        """(interchange, purchase orders) of an interchange text, checked;
        EdiError naming the segment and position of the first fault."""
        return read_orders(self.credentials.get("edi_standard") or "x12", text)
