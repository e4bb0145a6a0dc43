"""The carriers' shared machinery behind Odoo's ``delivery.carrier`` hooks.

Each carrier kind lives in ``delivery_carrier_<kind>.py``: its ``delivery_type``
(``selection_add``), Odoo's hooks ``<delivery_type>_rate_shipment``,
``_send_shipping``, ``_get_tracking_link`` and ``_cancel_shipment``, and the
OMS hooks this file and the others call by the same rule,
``_<delivery_type>_<hook>`` (see :meth:`DeliveryCarrier._oms_hook`): ``client``
(its API client), ``default_url``, ``quotes_for_picking`` (rate shopping),
``pick_rate`` and ``quote_service``, ``parcel_tracking_url``, ``poll_tracking``,
``verify_address``, ``manifest_document``. A kind without a hook does without
what it gives (no poll, no address check, our own PDF manifest...). Rate
shopping and hazmat have files of their own.
"""

import hashlib
import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.oms_core.tools import credentials_may_go_to

from ..carrier_clients import Address, CarrierError, Parcel, zpl_to_pdf

_logger = logging.getLogger(__name__)

# What the clients send to the API base URL: forgotten when the URL changes (unless
# given again in the same change), so that secrets only go where an administrator
# who knows them said.
CREDENTIAL_FIELDS = ("oms_api_key", "oms_client_id", "oms_client_secret")


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

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
    oms_label_format = fields.Selection(
        [("PDF", "PDF"), ("ZPL", "ZPL")], string="Label Format", default="PDF"
    )

    # --- the carrier kinds' own methods ------------------------------------------------------
    def _oms_hook(self, hook):
        """The carrier kind's own ``_<delivery_type>_<hook>`` method (bound), or None
        when its kind has none: found by name, as Odoo finds its carrier hooks."""
        return getattr(self, f"_{self.delivery_type}_{hook}", None)

    @api.model
    def _oms_carrier_types(self, hook):
        """The delivery types whose kind has ``hook`` (e.g. the carriers rate
        shopping asks, the ones the tracking poll asks)."""
        return [
            kind
            for kind, _label in self._fields["delivery_type"].selection
            if hasattr(type(self), f"_{kind}_{hook}")
        ]

    def _oms_default_url(self):
        """The carrier's production API URL (Swiss Post: its WSDL's), or False."""
        hook = self._oms_hook("default_url")
        return hook() if hook else False

    @api.model
    def _oms_default_urls(self):
        return {
            getattr(self.browse(), f"_{kind}_default_url")()
            for kind in self._oms_carrier_types("default_url")
        }

    @api.depends("delivery_type")
    def _compute_oms_api_base_url(self):
        for carrier in self:
            if not carrier.oms_api_base_url:
                carrier.oms_api_base_url = carrier._oms_default_url()

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
        if not url or not carrier._oms_default_url():
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
                    url and url not in self._oms_default_urls()
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
        """The API client of the carrier: the one place that builds it (each kind's
        ``_<delivery_type>_client`` hook, given the carrier with its secrets, the API
        URL and the sender; None without credentials)."""
        self.ensure_one()
        secrets = self.sudo()
        problem = self._oms_api_url_problem()
        if problem:
            raise UserError(problem)
        url = secrets.oms_api_base_url or self._oms_default_url()
        hook = self._oms_hook("client")
        client = hook(secrets, url, sender) if hook else None
        if client is None:
            raise UserError(_("Set the credentials of %s first.", self.name))
        return client

    def _oms_oauth_client(self, client_class, secrets, url, **options):
        """A client of a carrier that takes an OAuth client ID and secret and an
        account number (UPS, FedEx); None without a client ID."""
        if not secrets.oms_client_id:
            return None
        return client_class(
            secrets.oms_client_id,
            secrets.oms_client_secret,
            secrets.oms_account_number,
            base_url=url,
            **options,
        )

    def _oms_rates(self, sender, recipient, parcels, **service):
        """The carrier's quotes (its client's ``rate``) for ``parcels``: of every
        service, or of the one given by its keyword (``service_code=`` for UPS,
        ``service_type=`` for FedEx) when it is set."""
        client = self._oms_get_carrier_client()
        service = {name: value for name, value in service.items() if value}
        return self._oms_call(_("quote"), client.rate, sender, recipient, parcels, **service)

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

    def _oms_void_labels(self, pickings, what, void, done):
        """Void the labels in use of each delivery (``void(reference)``, once a
        reference), say ``done`` on it and clear its tracking reference and price."""
        for picking in pickings:
            for reference in dict.fromkeys(picking._oms_active_shipments().mapped("reference")):
                self._oms_call(what, void, reference)
            picking.message_post(body=done)
            picking.write({"carrier_tracking_ref": False, "carrier_price": 0.0})

    # --- address verification ----------------------------------------------------------
    def _oms_verifies_addresses(self):
        """Whether the carrier checks delivery addresses (its kind can, and it is set to)."""
        self.ensure_one()
        return bool(self.oms_verify_address and self._oms_hook("verify_address"))

    def _oms_verify_address(self, picking):
        """The carrier's verdict on the delivery address (an AddressCheck)."""
        self.ensure_one()
        return self._oms_hook("verify_address")(picking)

    # --- tracking --------------------------------------------------------------------------
    def _oms_parcel_tracking_url(self, shipment):
        """The public page where the customer follows ``shipment``: the one the
        carrier gave (EasyPost's tracker), the carrier's tracking page by number, or
        ours for the own fleet; False when there is none."""
        self.ensure_one()
        if shipment.carrier_tracking_url:
            return shipment.carrier_tracking_url
        hook = self._oms_hook("parcel_tracking_url")
        if not shipment.tracking_number or not hook:
            return False
        return hook(shipment)

    def _oms_poll_tracking(self, shipment):
        """The carrier's tracking of a parcel (for the polling fallback), or None."""
        self.ensure_one()
        hook = self._oms_hook("poll_tracking")
        return hook(shipment) if hook else None


def _cm(value):
    return Decimal(str(value)) if value else None
