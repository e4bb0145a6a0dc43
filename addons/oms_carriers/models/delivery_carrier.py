import hashlib
import logging
from decimal import Decimal

import requests

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.oms_core.tools import credentials_may_go_to

from ..carrier_clients import (
    Address,
    CarrierConnectionError,
    CarrierError,
    CarrierResponseError,
    EasyPostClient,
    FedExClient,
    Label,
    OwnLabel,
    PackageLabel,
    Parcel,
    PostLogisticsClient,
    Purchase,
    UpsClient,
    fedex_tracking_url,
    own_label_pdf,
    own_label_zpl,
    postlogistics_tracking_url,
    ups_tracking_url,
    zpl_to_pdf,
)
from ..carrier_clients.easypost import PRODUCTION_URL as EASYPOST_URL
from ..carrier_clients.fedex import PRODUCTION_URL as FEDEX_URL
from ..carrier_clients.postlogistics import PRODUCTION_WSDL as POSTLOGISTICS_WSDL
from ..carrier_clients.ups import PRODUCTION_URL as UPS_URL
from .product_template import LITHIUM_TYPES

_logger = logging.getLogger(__name__)

OMS_TYPES = ("oms_easypost", "oms_ups", "oms_fedex", "oms_postlogistics", "oms_own_fleet")
DEFAULT_URLS = {
    "oms_easypost": EASYPOST_URL,
    "oms_ups": UPS_URL,
    "oms_fedex": FEDEX_URL,
    "oms_postlogistics": POSTLOGISTICS_WSDL,
}
# What the clients send to the API base URL: forgotten when the URL changes (unless
# given again in the same change), so that secrets only go where an administrator
# who knows them said.
CREDENTIAL_FIELDS = ("oms_api_key", "oms_client_id", "oms_client_secret")
# FedEx tokens of this process, kept between calls (a tracking poll asks about
# many parcels): keyed by API URL and a hash of the credentials.
FEDEX_TOKENS = {}


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    delivery_type = fields.Selection(
        selection_add=[
            ("oms_easypost", "EasyPost"),
            ("oms_ups", "UPS"),
            ("oms_postlogistics", "Swiss Post (PostLogistics)"),
            ("oms_own_fleet", "Own fleet"),
        ],
        ondelete={
            "oms_easypost": "set default",
            "oms_ups": "set default",
            "oms_postlogistics": "set default",
            "oms_own_fleet": "set default",
        },
    )
    oms_api_base_url = fields.Char(
        string="API Base URL",
        compute="_compute_oms_api_base_url",
        store=True,
        readonly=False,
        groups="base.group_system",
        help="The carrier's production endpoint (https) by default; a sandbox's "
        "otherwise (Swiss Post: the WSDL's URL). Changing it forgets the API key, "
        "client ID and secret: give them again with it.",
    )
    oms_allow_insecure_http = fields.Boolean(
        string="Allow HTTP (Simulators Only)",
        groups="base.group_system",
        help="Let the API base URL be plain http, as the local simulators of the demo "
        "and the tests are. Never for a real carrier: the credentials would travel in "
        "clear.",
    )
    oms_api_key = fields.Char(string="API Key", groups="base.group_system", copy=False)
    oms_client_id = fields.Char(string="Client ID", groups="base.group_system", copy=False)
    oms_client_secret = fields.Char(string="Client Secret", groups="base.group_system", copy=False)
    oms_account_number = fields.Char(string="Account Number", groups="base.group_system")
    oms_franking_license = fields.Char(string="Franking License", groups="base.group_system")
    oms_service_code = fields.Char(
        string="Service",
        help="EasyPost: carrier/service (e.g. USPS/Priority; empty: cheapest rate); "
        "UPS: service code (e.g. 11 Standard); FedEx: service type (e.g. FEDEX_GROUND); "
        "Swiss Post: services (e.g. PRI).",
    )
    oms_webhook_secret = fields.Char(
        string="Webhook Secret",
        groups="base.group_system",
        copy=False,
        help="EasyPost signs its tracking webhooks with it (X-Hmac-Signature); own "
        "fleet: the drivers' app signs its status updates with it (X-Oms-Signature).",
    )
    oms_verify_address = fields.Boolean(
        string="Verify Addresses",
        default=True,
        help="EasyPost: check the delivery address before the delivery is validated; "
        "an undeliverable one puts the order on an address hold.",
    )
    oms_tracking_stop_days = fields.Integer(
        string="Stop Tracking After (days)",
        default=30,
        help="Parcels without news for this long are no longer asked about.",
    )
    oms_first_scan_days = fields.Integer(
        string="First Scan Within (days)",
        default=3,
        help="A parcel the carrier does not know yet (UPS: TW0001 Tracking Information "
        "Not Found; FedEx: TRACKING.TRACKINGNUMBER.NOTFOUND) is no news while its label "
        "is younger than this; older, it is "
        "flagged as not scanned on the parcel and on the integration health dashboard.",
    )
    oms_tracking_rate_limit = fields.Integer(
        string="Tracking Calls per Minute",
        default=0,
        help="At most this many tracking questions a minute to this carrier (its API's "
        "rate limit); 0: no limit. The poll spreads its jobs accordingly.",
    )
    oms_transit_days = fields.Integer(
        string="Transit Days",
        default=1,
        help="Own fleet and Swiss Post: days from shipping to delivery, for rate shopping.",
    )
    oms_hazmat_lithium = fields.Selection(
        [
            ("none", "No lithium batteries"),
            ("in_equipment", "Only contained in equipment"),
            ("with_equipment", "Contained in or packed with equipment"),
            ("all", "All, batteries alone too"),
        ],
        string="Lithium Batteries Accepted",
        default="in_equipment",
    )
    oms_hazmat_limited_quantity = fields.Boolean(string="Limited Quantities Accepted", default=True)
    oms_hazmat_classes = fields.Char(
        string="Hazard Classes Accepted",
        help="Comma-separated classes of fully regulated dangerous goods this service "
        "takes (e.g. 3,8,9); none when empty.",
    )
    oms_label_format = fields.Selection(
        [("PDF", "PDF"), ("ZPL", "ZPL")], string="Label Format", default="PDF"
    )

    @api.depends("delivery_type")
    def _compute_oms_api_base_url(self):
        for carrier in self:
            if not carrier.oms_api_base_url:
                carrier.oms_api_base_url = DEFAULT_URLS.get(carrier.delivery_type, False)

    @api.constrains("oms_api_base_url", "oms_allow_insecure_http")
    def _check_oms_api_base_url(self):
        for carrier in self:
            problem = carrier._oms_api_url_problem()
            if problem:
                raise ValidationError(problem)

    def _oms_api_url_problem(self):
        """Why the carrier's client must not send its credentials to its API base
        URL (an https URL with a host and no user info; http only when allowed), or
        None."""
        self.ensure_one()
        carrier = self.sudo()
        url = carrier.oms_api_base_url
        if not url or carrier.delivery_type not in DEFAULT_URLS:
            return None
        if not credentials_may_go_to(url, carrier.oms_allow_insecure_http):
            return _(
                "The API base URL of %(carrier)s must be an https:// address (“%(url)s” is "
                "not); plain http is for the local simulators only (Allow HTTP).",
                carrier=carrier.name,
                url=url,
            )
        return None

    @api.model_create_multi
    def create(self, vals_list):
        # Odoo checks the groups of the fields a write sets, not of those a create
        # sets: a carrier made by someone else than an administrator starts on the
        # carrier's production URL (or a copy's, when it is one), never on theirs.
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            for vals in vals_list:
                url = vals.get("oms_api_base_url")
                if vals.get("oms_allow_insecure_http") or (
                    url and url not in DEFAULT_URLS.values()
                ):
                    raise AccessError(_("Only administrators set the API base URL of a carrier."))
        return super().create(vals_list)

    def write(self, vals):
        moved = self.browse()
        if "oms_api_base_url" in vals:
            new_url = vals["oms_api_base_url"] or False
            moved = self.sudo().filtered(lambda c: (c.oms_api_base_url or False) != new_url)
        result = super().write(vals)
        forget = {name: False for name in CREDENTIAL_FIELDS if name not in vals}
        if moved and forget:
            _logger.info("Carriers %s: API URL changed, credentials forgotten", moved.ids)
            moved.sudo().write(forget)
        return result

    # --- the one seam to the carriers' APIs ------------------------------------------------
    def _oms_get_carrier_client(self, sender=None):
        """The API client of the carrier: the one place that builds it."""
        self.ensure_one()
        secrets = self.sudo()
        problem = self._oms_api_url_problem()
        if problem:
            raise UserError(problem)
        url = secrets.oms_api_base_url or DEFAULT_URLS.get(self.delivery_type)
        if self.delivery_type == "oms_easypost" and secrets.oms_api_key:
            return EasyPostClient(secrets.oms_api_key, base_url=url)
        if self.delivery_type == "oms_fedex" and secrets.oms_client_id:
            return FedExClient(
                secrets.oms_client_id,
                secrets.oms_client_secret,
                secrets.oms_account_number,
                base_url=url,
                token_store=FEDEX_TOKENS,
            )
        if self.delivery_type == "oms_ups" and secrets.oms_client_id:
            return UpsClient(
                secrets.oms_client_id,
                secrets.oms_client_secret,
                secrets.oms_account_number,
                base_url=url,
            )
        if self.delivery_type == "oms_postlogistics" and secrets.oms_client_id:
            return PostLogisticsClient(
                secrets.oms_client_id,
                secrets.oms_client_secret,
                secrets.oms_franking_license,
                sender,
                wsdl_url=url,
            )
        raise UserError(_("Set the credentials of %s first.", self.name))

    # --- what the APIs are given ---------------------------------------------------------
    def _oms_address(self, partner):
        return Address(
            name=partner.name or partner.commercial_partner_id.name or "",
            company=partner.commercial_company_name or "",
            street1=partner.street or "",
            street2=partner.street2 or "",
            city=partner.city or "",
            zip=partner.zip or "",
            state=partner.state_id.code or "",
            country=partner.country_id.code or "",
            phone=partner.phone or partner.mobile or "",
            email=partner.email or "",
        )

    def _oms_sender(self, picking):
        return self._oms_parties(picking)[0]

    def _oms_recipient(self, picking):
        return self._oms_parties(picking)[1]

    def _oms_parties(self, picking):
        """(sender, recipient) partners: the warehouse sends a delivery; a return
        (an incoming picking) comes from the customer to the warehouse."""
        warehouse_partner = (
            picking.picking_type_id.warehouse_id.partner_id or picking.company_id.partner_id
        )
        if picking.picking_type_code == "incoming":
            return picking.partner_id, warehouse_partner
        return warehouse_partner, picking.partner_id

    def _oms_parcels(self, picking):
        """One parcel per package of the delivery, or one for all of it."""
        packages = picking.move_line_ids.result_package_id
        if packages:
            return [
                (
                    package,
                    Parcel(
                        weight_kg=Decimal(str(package.shipping_weight or package.weight or 0.1)),
                        length_cm=_cm(package.package_type_id.packaging_length),
                        width_cm=_cm(package.package_type_id.width),
                        height_cm=_cm(package.package_type_id.height),
                    ),
                )
                for package in packages
            ]
        weight = picking.shipping_weight or picking.weight
        if not weight:
            raise UserError(
                _(
                    "%s has no weight: set the products' weights or the shipping weight.",
                    picking.name,
                )
            )
        return [(picking.env["stock.quant.package"], Parcel(weight_kg=Decimal(str(weight))))]

    def _oms_check_address(self, picking):
        partner = picking.partner_id  # the customer, whichever way the parcel goes
        missing = [
            label
            for label, value in (
                (_("street"), partner.street),
                (_("city"), partner.city),
                (_("postcode"), partner.zip),
                (_("country"), partner.country_id),
            )
            if not value
        ]
        if missing:
            raise UserError(
                _(
                    "The delivery address of %(picking)s lacks its %(missing)s.",
                    picking=picking.name,
                    missing=", ".join(missing),
                )
            )

    def _oms_check_hazmat(self, picking):
        """Refuse, before any call to the carrier, dangerous goods its service does
        not take; the message names the product and the rule."""
        lithium_rank = {
            "none": set(),
            "in_equipment": {"ion_in_equipment", "metal_in_equipment"},
            "with_equipment": {
                "ion_in_equipment",
                "metal_in_equipment",
                "ion_with_equipment",
                "metal_with_equipment",
            },
        }
        classes = {c.strip() for c in (self.oms_hazmat_classes or "").split(",") if c.strip()}
        for product in picking.move_ids.product_id.filtered("oms_is_hazmat"):
            battery = product.oms_lithium_battery
            accepted = self.oms_hazmat_lithium or "none"
            if battery and accepted != "all" and battery not in lithium_rank[accepted]:
                raise UserError(
                    _(
                        "%(carrier)s does not take %(product)s: its lithium batteries "
                        "(%(battery)s) are not among what it accepts (%(accepted)s).",
                        carrier=self.name,
                        product=product.display_name,
                        battery=dict(LITHIUM_TYPES)[battery],
                        accepted=dict(self._fields["oms_hazmat_lithium"].selection)[accepted],
                    )
                )
            if product.oms_limited_quantity and not self.oms_hazmat_limited_quantity:
                raise UserError(
                    _(
                        "%(carrier)s does not take %(product)s: it ships no limited quantities "
                        "of dangerous goods.",
                        carrier=self.name,
                        product=product.display_name,
                    )
                )
            if (
                product.oms_un_number
                and not product.oms_limited_quantity
                and not battery
                and (product.oms_hazard_class or "?") not in classes
            ):
                raise UserError(
                    _(
                        "%(carrier)s does not take %(product)s: %(un)s, class %(klass)s, is not "
                        "among the hazard classes it accepts (%(classes)s).",
                        carrier=self.name,
                        product=product.display_name,
                        un=product.oms_un_number,
                        klass=product.oms_hazard_class or "?",
                        classes=", ".join(sorted(classes)) or _("none"),
                    )
                )

    def _oms_easypost_options(self, picking, hazmat):
        options = {}
        if hazmat:
            options["hazmat"] = hazmat
        if picking.picking_type_code == "incoming":
            options["is_return"] = True
        return options or None

    def _oms_easypost_hazmat_option(self, picking):
        """EasyPost's ``hazmat`` shipment option for the delivery's goods, or None."""
        products = picking.move_ids.product_id
        batteries = set(products.mapped("oms_lithium_battery")) - {False}
        if batteries:
            if batteries & {"ion_alone", "metal_alone"}:
                return "PRIMARY"
            if batteries & {"ion_with_equipment", "metal_with_equipment"}:
                return "PRIMARY_PACKED"
            return "PRIMARY_CONTAINED"
        if any(products.mapped("oms_limited_quantity")):
            return "LIMITED_QUANTITY"
        return None

    def _oms_call(self, what, function, *args, **kwargs):
        """Call the carrier; its errors become a message a user can act on."""
        try:
            return function(*args, **kwargs)
        except CarrierError as error:
            # Kept when the caller goes on without the answer (its transaction lives).
            self.env["oms.carrier.error"].sudo().create(
                {"carrier_id": self.id, "operation": what, "message": str(error)}
            )
            raise UserError(
                _(
                    "%(carrier)s could not %(what)s: %(error)s",
                    carrier=self.name,
                    what=what,
                    error=error,
                )
            ) from error

    def _oms_attach_labels(self, picking, purchase_packages, tracking_numbers):
        """Store each package's label on the delivery (and a PDF of a ZPL label)."""
        attachments = []
        for number, label in purchase_packages:
            extension = label.format.lower()
            name = f"{self._get_delivery_label_prefix()}-{number}.{extension}"
            attachments.append((name, label.content))
            if label.format == "ZPL":
                # The printer-down fallback: the same label as a PDF.
                attachments.append((f"{name[:-4]}-zpl.pdf", zpl_to_pdf(label.content).pdf))
        picking.message_post(
            body=_(
                "Labels from %(carrier)s, tracking %(numbers)s",
                carrier=self.name,
                numbers=", ".join(tracking_numbers),
            ),
            attachments=attachments,
        )

    # --- EasyPost ----------------------------------------------------------------------------
    def oms_easypost_rate_shipment(self, order):
        return self._oms_rate_from_quotes(order, self._oms_easypost_quotes)

    def _oms_easypost_quotes(self, sender, recipient, parcel):
        client = self._oms_get_carrier_client()
        shipment = self._oms_call(
            _("quote"), client.create_shipment, sender, recipient, parcel, label_format="PDF"
        )
        return shipment.rates

    def _oms_easypost_pick_rate(self, rates, service=None):
        wanted = (service or self.oms_service_code or "").split("/")
        matching = [
            rate
            for rate in rates
            if len(wanted) != 2
            or (
                rate.carrier.lower() == wanted[0].lower()
                and rate.service.lower() == wanted[1].lower()
            )
        ]
        if not matching:
            raise UserError(
                _(
                    "%(carrier)s offers no %(service)s here.",
                    carrier=self.name,
                    service=self.oms_service_code,
                )
            )
        return min(matching, key=lambda rate: rate.amount)

    def oms_easypost_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            client = self._oms_get_carrier_client()
            hazmat = self._oms_easypost_hazmat_option(picking)
            customs = picking._oms_customs_info() if picking._oms_needs_customs() else None
            sender, recipient = (
                self._oms_address(self._oms_sender(picking)),
                self._oms_address(self._oms_recipient(picking)),
            )
            numbers, labels, price = [], [], 0.0
            label_format = self.oms_label_format or "PDF"
            Attempt = self.env["oms.carrier.purchase.attempt"]
            for index, (_package, parcel) in enumerate(self._oms_parcels(picking), start=1):
                # Exactly once without an idempotency header: the shipment made for
                # this package is kept (committed at once) before its label is bought;
                # a retry (an answer lost, the job rolled back) reads it back and
                # reuses its label, or buys that same shipment, which EasyPost sells
                # once. After a void, a new generation makes a new shipment.
                generation = len(picking.oms_carrier_shipment_ids.filtered("voided"))
                key = f"odoo-{self.env.cr.dbname}-picking-{picking.id}-{index}-{generation}"
                shipment, purchase = None, None
                known = Attempt._oms_find(key)
                if known:
                    shipment = self._oms_call(
                        _("read the shipment back"), client.get_shipment, known
                    )
                    if shipment.is_purchased:
                        purchase = self._oms_call(
                            _("recover the label"), client.purchased, known, label_format
                        )
                        picking.message_post(
                            body=_(
                                "%(carrier)s had already sold the label of shipment "
                                "%(shipment)s (an answer lost on the way): reused, "
                                "nothing bought twice.",
                                carrier=self.name,
                                shipment=known,
                            )
                        )
                if shipment is None:
                    shipment = self._oms_call(
                        _("create the shipment"),
                        client.create_shipment,
                        sender,
                        recipient,
                        parcel,
                        customs_info=customs,
                        reference=picking.name,
                        options=self._oms_easypost_options(picking, hazmat),
                        label_format=label_format,
                    )
                    Attempt._oms_keep(key, shipment.id, self, picking)
                if purchase is None:
                    rate = self._oms_easypost_pick_rate(shipment.rates, picking.oms_carrier_service)
                    purchase = self._oms_call(
                        _("buy the label"),
                        client.buy,
                        shipment.id,
                        rate.id,
                        label_format=label_format,
                    )
                numbers.append(purchase.tracking_number)
                labels += [(p.tracking_number, p.label) for p in purchase.packages]
                price += self._oms_price_for(picking, purchase.amount, purchase.currency)
                picking._oms_record_shipment(
                    shipment.id, purchase.tracking_number, purchase=purchase
                )
            self._oms_attach_labels(picking, labels, numbers)
            results.append({"exact_price": price, "tracking_number": ",".join(numbers)})
        return results

    def oms_easypost_get_tracking_link(self, picking):
        # EasyPost's public tracker page, given with the label (and by its trackers)
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_easypost_cancel_shipment(self, pickings):
        client = self._oms_get_carrier_client()
        for picking in pickings:
            for shipment in picking._oms_active_shipments():
                self._oms_call(_("void the label"), client.refund, shipment.reference)
            picking.message_post(body=_("Labels voided with %s", self.name))
            picking.write({"carrier_tracking_ref": False, "carrier_price": 0.0})

    # --- UPS -------------------------------------------------------------------------------
    def oms_ups_rate_shipment(self, order):
        return self._oms_rate_from_quotes(order, self._oms_ups_quotes)

    def _oms_ups_quotes(self, sender, recipient, parcel):
        client = self._oms_get_carrier_client()
        return self._oms_call(
            _("quote"),
            client.rate,
            sender,
            recipient,
            [parcel],
            service_code=self.oms_service_code or None,
        )

    def oms_ups_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            service = picking.oms_carrier_service or self.oms_service_code
            if not service:
                raise UserError(_("Choose the UPS service of %s first.", self.name))
            client = self._oms_get_carrier_client()
            parcels = [parcel for _package, parcel in self._oms_parcels(picking)]
            label_format = "ZPL" if self.oms_label_format == "ZPL" else "GIF"
            # Exactly once: UPS takes no idempotency key, so a shipment already made
            # for this delivery (an answer lost to a timeout) is found by its
            # reference and its labels recovered instead of buying again.
            reference = self._oms_shipment_reference(picking)
            known = self._oms_call(_("look the shipment up"), client.find_shipments, reference)
            if known:
                results.append(self._oms_ups_recover(picking, client, known, label_format))
                continue
            purchase = self._oms_call(
                _("buy the labels"),
                client.ship,
                self._oms_address(self._oms_sender(picking)),
                self._oms_address(self._oms_recipient(picking)),
                parcels,
                service,
                label_format=label_format,
                reference=reference,
                customs_info=picking._oms_customs_info() if picking._oms_needs_customs() else None,
            )
            numbers = [p.tracking_number for p in purchase.packages]
            for index, number in enumerate(numbers):
                # the shipment's cost (and the surcharges UPS itemizes) on its first parcel
                picking._oms_record_shipment(
                    purchase.shipment_id, number, purchase=purchase if index == 0 else None
                )
            self._oms_attach_labels(
                picking, [(p.tracking_number, p.label) for p in purchase.packages], numbers
            )
            results.append(
                {
                    "exact_price": self._oms_price_for(picking, purchase.amount, purchase.currency),
                    "tracking_number": ",".join(numbers),
                }
            )
        return results

    @api.model
    def _oms_currency(self, code):
        """The currency of an ISO code a carrier answers in, active in Odoo or not
        (its rates are kept either way): never taken for the company's."""
        if not code:
            return self.env["res.currency"]
        return (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )

    def _oms_price_for(self, picking, amount, currency_code):
        """What the carrier charged, in the currency of the delivery's order (its
        company's without one), as Odoo's carrier price wants it: a label billed
        in another currency is converted at today's rate."""
        if amount is None:
            return 0.0
        target = picking.sale_id.currency_id or picking.company_id.currency_id
        currency = self._oms_currency(currency_code)
        if not currency or currency == target:
            return float(amount)
        return currency._convert(
            float(amount), target, picking.company_id, fields.Date.context_today(self)
        )

    def _oms_shipment_reference(self, picking):
        """The shipment's reference at the carrier (UPS, FedEx): the delivery's
        name and a token of this database, delivery and label generation, so that
        the lookup before buying never finds another database's (or a voided)
        shipment of the same name. The same on every retry; at most UPS's 35
        characters."""
        database = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        generation = len(picking.oms_carrier_shipment_ids.filtered("voided"))
        token = hashlib.sha1(f"{database}-{picking.id}-{generation}".encode()).hexdigest()[:8]
        return f"{(picking.name or '')[:26]} {token}"

    def _oms_ups_recover(self, picking, client, tracking_numbers, label_format):
        """The labels of a shipment UPS made for this delivery, recorded as if just
        bought (its price is not known again: the quote's, if any)."""
        labels = [
            (
                number,
                self._oms_call(_("recover the label"), client.recover_label, number, label_format),
            )
            for number in tracking_numbers
        ]
        for number, _label in labels:
            # The first package's number identifies the shipment (what void takes).
            picking._oms_record_shipment(tracking_numbers[0], number)
        self._oms_attach_labels(picking, labels, tracking_numbers)
        picking.message_post(
            body=_(
                "UPS had already made this shipment (an answer lost on the way): its "
                "labels were recovered, nothing bought twice."
            )
        )
        won = picking.oms_shipping_quote_ids.filtered(lambda q: q.state == "won")[:1]
        return {
            "exact_price": won.price_company if won else 0.0,
            "tracking_number": ",".join(tracking_numbers),
        }

    def oms_ups_get_tracking_link(self, picking):
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_ups_cancel_shipment(self, pickings):
        client = self._oms_get_carrier_client()
        for picking in pickings:
            references = set(picking._oms_active_shipments().mapped("reference"))
            for reference in references:
                self._oms_call(_("void the shipment"), client.void, reference)
            picking.message_post(body=_("Shipment voided with %s", self.name))
            picking.write({"carrier_tracking_ref": False, "carrier_price": 0.0})

    # --- Swiss Post ------------------------------------------------------------------------
    def oms_postlogistics_rate_shipment(self, order):
        # The barcode web service prints labels; prices come from the contract.
        return {
            "success": True,
            "price": self.product_id.list_price,
            "error_message": False,
            "warning_message": _("Swiss Post price from the carrier's product, not quoted."),
        }

    def _oms_check_postlogistics_destination(self, picking):
        """Swiss Post's barcode labels are for parcels within Switzerland and
        Liechtenstein (its service answers E2030 otherwise): an export is refused
        before any call, so that it ships, with its customs data, with a carrier
        that takes it."""
        countries = {partner.country_id.code for partner in self._oms_parties(picking) if partner}
        if not countries <= {"CH", "LI"}:
            raise UserError(
                _(
                    "%(carrier)s labels are for Switzerland and Liechtenstein only: ship "
                    "%(picking)s (to %(country)s) with another carrier.",
                    carrier=self.name,
                    picking=picking.name or _("this delivery"),
                    country=picking.partner_id.country_id.name or "?",
                )
            )

    def oms_postlogistics_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_postlogistics_destination(picking)
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            client = self._oms_get_carrier_client(self._oms_address(self._oms_sender(picking)))
            parcels = self._oms_parcels(picking)
            count = len(parcels)
            purchases = [
                self._oms_postlogistics_label_once(
                    picking,
                    index,
                    client.generate_label,
                    self._oms_address(self._oms_recipient(picking)),
                    services=tuple((self.oms_service_code or "PRI").split(",")),
                    parcel=parcel,
                    image_format=self.oms_label_format or "PDF",
                    item_number=picking.name,
                    parcel_no=index if count > 1 else None,
                    parcel_total=count if count > 1 else None,
                )
                for index, (_package, parcel) in enumerate(parcels, start=1)
            ]
            # recorded once every package has its label: nothing half-recorded
            numbers, labels = [], []
            for purchase in purchases:
                numbers.append(purchase.tracking_number)
                labels += [(p.tracking_number, p.label) for p in purchase.packages]
                picking._oms_record_shipment(purchase.tracking_number, purchase.tracking_number)
            self._oms_attach_labels(picking, labels, numbers)
            results.append(
                {"exact_price": self.product_id.list_price, "tracking_number": ",".join(numbers)}
            )
        return results

    def _oms_postlogistics_label_once(self, picking, index, generate, *args, **kwargs):
        """The label of one package, made once.

        Swiss Post's ``GenerateLabel`` hands out a new barcode on every call and
        nothing can be read back, so the attempt (delivery, package, label
        generation) is kept, committed at once, before the call, and the label it
        gave right after it. A retry (the job rolled back after the label was
        made) reuses that label; an attempt whose answer was lost (the label may
        exist) stops the delivery with what a person must check before releasing
        it (*Shipping > Label Attempts*): never a second barcode made silently."""
        Attempt = self.env["oms.carrier.purchase.attempt"].sudo()
        generation = len(picking.oms_carrier_shipment_ids.filtered("voided"))
        key = f"odoo-{self.env.cr.dbname}-postlogistics-picking-{picking.id}-{index}-{generation}"
        kept = Attempt._oms_start(key, f"{picking.name} #{index}", self, picking)
        if kept and kept["state"] == "done":
            number = kept["reference"]
            picking.message_post(
                body=_(
                    "Swiss Post had already made label %(number)s for package %(index)s "
                    "(the delivery's work was undone after it): reused, no second barcode.",
                    number=number,
                    index=index,
                )
            )
            return Purchase(
                shipment_id=number,
                tracking_number=number,
                packages=(PackageLabel(number, Label(kept["label_format"], kept["label"])),),
                carrier=self.name,
            )
        if kept:
            raise UserError(
                _(
                    "Swiss Post may have made the label of package %(index)s of %(picking)s "
                    "(tried %(when)s UTC): its answer was lost and Swiss Post cannot be asked "
                    "for it again. It is billed only if a parcel carrying it is scanned. Make "
                    "sure no parcel of %(picking)s carries a Swiss Post label that is not on "
                    "the delivery (destroy any such label), then release the attempt in "
                    "Order Management > Shipping > Label Attempts and ship again.",
                    index=index,
                    picking=picking.name,
                    when=fields.Datetime.to_string(kept["create_date"]),
                )
            )
        try:
            purchase = self._oms_call(_("generate the label"), generate, *args, **kwargs)
        except Exception as error:
            Attempt._oms_fail(key, _label_may_exist(error))
            raise
        Attempt._oms_finish(key, purchase.tracking_number, purchase.packages[0].label)
        return purchase

    def oms_postlogistics_get_tracking_link(self, picking):
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_postlogistics_cancel_shipment(self, pickings):
        # Swiss Post bills only scanned parcels: an unused label needs no void call.
        for picking in pickings:
            picking.message_post(
                body=_("Swiss Post label discarded (never scanned, never billed).")
            )
            picking.write({"carrier_tracking_ref": False, "carrier_price": 0.0})

    # --- Own fleet -------------------------------------------------------------------------
    def oms_own_fleet_rate_shipment(self, order):
        return {
            "success": True,
            "price": self.product_id.list_price,
            "error_message": False,
            "warning_message": False,
        }

    def oms_own_fleet_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            self._oms_check_address(picking)
            self._oms_check_hazmat(picking)
            parcels = self._oms_parcels(picking)
            marks = tuple(
                dict.fromkeys(
                    mark
                    for product in picking.move_ids.product_id.filtered("oms_is_hazmat")
                    for mark in product.product_tmpl_id._oms_hazmat_marks()
                )
            )
            numbers, labels = [], []
            for index, (_package, parcel) in enumerate(parcels, start=1):
                number = f"{picking.name.replace('/', '')}-{index}"
                label = OwnLabel(
                    tracking_number=number,
                    sender=self._oms_address(self._oms_sender(picking)),
                    recipient=self._oms_address(self._oms_recipient(picking)),
                    weight_kg=parcel.weight_kg,
                    package_no=index,
                    package_count=len(parcels),
                    carrier_name=self.name,
                    reference=picking.origin or picking.name,
                    hazmat_marks=marks,
                )
                numbers.append(number)
                picking._oms_record_shipment(number, number)
                if self.oms_label_format == "ZPL":
                    labels.append((number, Label("ZPL", own_label_zpl(label))))
                else:
                    labels.append((number, Label("PDF", own_label_pdf(label))))
            self._oms_attach_labels(picking, labels, numbers)
            results.append(
                {"exact_price": self.product_id.list_price, "tracking_number": ",".join(numbers)}
            )
        return results

    def oms_own_fleet_get_tracking_link(self, picking):
        # our own page of the parcel, served by Odoo (its unguessable token)
        return picking._oms_active_shipments()[:1].tracking_url or False

    def oms_own_fleet_cancel_shipment(self, pickings):
        pickings.write({"carrier_tracking_ref": False, "carrier_price": 0.0})

    # --- address verification ----------------------------------------------------------
    def _oms_verify_address(self, picking):
        """EasyPost's verdict on the delivery address (an AddressCheck)."""
        self.ensure_one()
        client = self._oms_get_carrier_client()
        return self._oms_call(
            _("verify the address"), client.verify_address, self._oms_address(picking.partner_id)
        )

    # --- tracking --------------------------------------------------------------------------
    def _oms_parcel_tracking_url(self, shipment):
        """The public page where the customer follows ``shipment``: the one the
        carrier gave (EasyPost's tracker), the carrier's tracking page by number, or
        ours for the own fleet; False when there is none."""
        self.ensure_one()
        number = shipment.tracking_number
        if shipment.carrier_tracking_url:
            return shipment.carrier_tracking_url
        if not number:
            return False
        if self.delivery_type == "oms_ups":
            return ups_tracking_url(number)
        if self.delivery_type == "oms_fedex":
            return fedex_tracking_url(number)
        if self.delivery_type == "oms_postlogistics":
            return postlogistics_tracking_url(number)
        if self.delivery_type == "oms_own_fleet":
            return f"{shipment.get_base_url()}/oms/track/{shipment.sudo()._oms_access_token()}"
        return False

    def _oms_poll_tracking(self, shipment):
        """The carrier's tracking of a parcel (for the polling fallback), or None."""
        self.ensure_one()
        if self.delivery_type == "oms_easypost":
            client = self._oms_get_carrier_client()
            # the client refuses a tracker about another parcel than this one
            if shipment.tracker_ref:
                return client.get_tracker(shipment.tracker_ref, shipment.tracking_number)
            return client.create_tracker(shipment.tracking_number)
        if self.delivery_type in ("oms_ups", "oms_fedex"):
            return self._oms_get_carrier_client().track(shipment.tracking_number)
        return None

    # --- rate shopping ----------------------------------------------------------------------
    def _oms_quotes_for_picking(self, picking):
        """Every service this carrier offers for the delivery, as quote values."""
        self.ensure_one()
        self._oms_check_address(picking)
        self._oms_check_hazmat(picking)
        parcels = [parcel for _package, parcel in self._oms_parcels(picking)]
        sender = self._oms_address(self._oms_sender(picking))
        recipient = self._oms_address(self._oms_recipient(picking))
        if self.delivery_type == "oms_easypost":
            client = self._oms_get_carrier_client()
            total = Parcel(weight_kg=sum((p.weight_kg for p in parcels), Decimal(0)))
            customs = picking._oms_customs_info() if picking._oms_needs_customs() else None
            shipment = self._oms_call(
                _("quote"), client.create_shipment, sender, recipient, total, customs_info=customs
            )
            rates = shipment.rates
        elif self.delivery_type in ("oms_ups", "oms_fedex"):
            client = self._oms_get_carrier_client()
            rates = self._oms_call(_("quote"), client.rate, sender, recipient, parcels)
        else:
            if self.delivery_type == "oms_postlogistics":
                self._oms_check_postlogistics_destination(picking)
            company = picking.company_id
            return [
                {
                    "carrier_id": self.id,
                    "service": self.oms_service_code or "",
                    "service_name": self.name,
                    "price": self.product_id.list_price,
                    "currency_id": company.currency_id.id,
                    "price_company": self.product_id.list_price,
                    "transit_days": self.oms_transit_days,
                }
            ]
        return [self._oms_quote_values(picking, rate) for rate in rates]

    def _oms_quote_values(self, picking, rate):
        company = picking.company_id
        currency = self._oms_currency(rate.currency)
        price = float(rate.amount)
        in_company = price
        if currency and currency != company.currency_id:
            in_company = currency._convert(price, company.currency_id, company, fields.Date.today())
        service = (
            f"{rate.carrier}/{rate.service}"
            if self.delivery_type == "oms_easypost"
            else rate.service
        )
        return {
            "carrier_id": self.id,
            "service": service,
            "service_name": rate.service_name or f"{rate.carrier} {rate.service}",
            "price": price,
            "currency_id": currency.id or company.currency_id.id,
            "price_company": in_company,
            "transit_days": rate.delivery_days if rate.delivery_days is not None else False,
            "estimated_delivery": rate.delivery_date[:10] if rate.delivery_date else False,
        }

    # --- quotes for an order -----------------------------------------------------------------
    def _oms_rate_from_quotes(self, order, quote):
        """Odoo's rate answer for an order from the carrier's quotes (cheapest of the
        configured service)."""
        partner = order.partner_shipping_id
        weight = order._get_estimated_weight() or 0.1
        sender = self._oms_address(order.warehouse_id.partner_id or order.company_id.partner_id)
        try:
            rates = quote(
                sender, self._oms_address(partner), Parcel(weight_kg=Decimal(str(weight)))
            )
            if self.delivery_type == "oms_easypost":
                rate = self._oms_easypost_pick_rate(rates)
            else:
                rate = min(rates, key=lambda r: r.amount) if rates else None
        except UserError as error:
            return {
                "success": False,
                "price": 0.0,
                "error_message": str(error),
                "warning_message": False,
            }
        if rate is None:
            return {
                "success": False,
                "price": 0.0,
                "error_message": _("%s gave no quote.", self.name),
                "warning_message": False,
            }
        price = float(rate.amount)
        currency = self._oms_currency(rate.currency)
        if currency and currency != order.currency_id:
            price = currency._convert(
                price, order.currency_id, order.company_id, fields.Date.today()
            )
        return {"success": True, "price": price, "error_message": False, "warning_message": False}


def _label_may_exist(error):
    """Whether a failed label call may have made the label: when no answer came
    to the label request (it may have been sent), or an answer came that could
    not be read at all. Not when the carrier refused it, the request never left
    (no connection made, the WSDL not read) or it was refused before sending."""
    cause = error.__cause__ if isinstance(error, UserError) else error
    if isinstance(cause, CarrierConnectionError):
        sent = cause.__cause__
        if isinstance(sent, requests.ConnectTimeout):
            return False
        request = getattr(sent, "request", None)
        return request is None or request.method == "POST"
    if isinstance(cause, CarrierResponseError):
        return cause.__cause__ is not None
    return not isinstance(cause, CarrierError | ValueError | TypeError)


def _cm(value):
    return Decimal(str(value)) if value else None
