import base64
import io
import math
from datetime import timedelta
from urllib.parse import urlencode

from PIL import Image, ImageOps

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request
from odoo.tools import hash_sign, verify_hash_signed
from odoo.tools.image import IMAGE_MAX_RESOLUTION
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.portal.controllers.portal import CustomerPortal

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# The whole return form: the photos and one more megabyte for the rest. Larger
# requests are refused (413) from their declared length, before being read.
MAX_FORM_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
# More than any order line's quantity; anything above is a typing error or a probe.
MAX_FORM_QUANTITY = 100000
# A guest who found an order may fill in its return form for this long.
GUEST_TOKEN_LIFETIME = timedelta(hours=1)
GUEST_TOKEN_SCOPE = "oms_returns.guest_return"


def guest_return_token(env, order):
    """A token for the return form of ``order`` only, expiring after
    :data:`GUEST_TOKEN_LIFETIME` (signed with the database secret)."""
    return hash_sign(env(su=True), GUEST_TOKEN_SCOPE, {"order": order.id}, GUEST_TOKEN_LIFETIME)


def guest_return_token_valid(env, token, order_id):
    """Whether ``token`` is a guest token for the return form of order ``order_id``
    that has not expired."""
    if not token or not isinstance(token, str):
        return False
    try:
        payload = verify_hash_signed(env(su=True), GUEST_TOKEN_SCOPE, token)
    except ValueError:  # not a token at all (bad base64, version, UTF-8 or JSON)
        return False
    return isinstance(payload, dict) and payload.get("order") == order_id


class ReturnsPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "return_count" in counters:
            Return = request.env["oms.return"]
            values["return_count"] = (
                Return.search_count(self._oms_returns_domain()) if Return.has_access("read") else 0
            )
        return values

    def _oms_returns_domain(self):
        partner = request.env.user.partner_id
        return [("partner_id", "child_of", partner.commercial_partner_id.id)]

    @http.route(["/my/returns"], type="http", auth="user", website=True)
    def portal_my_returns(self, **_kwargs):
        returns = request.env["oms.return"].search(self._oms_returns_domain())
        values = self._prepare_portal_layout_values()
        values.update({"returns": returns, "page_name": "returns"})
        return request.render("oms_returns.portal_my_returns", values)

    @http.route(["/my/returns/<int:return_id>"], type="http", auth="public", website=True)
    def portal_my_return(self, return_id, access_token=None, **_kwargs):
        try:
            record = self._document_check_access("oms.return", return_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            record,
            access_token,
            {"return_request": record, "page_name": "return"},
            "my_returns_history",
            False,
        )
        return request.render("oms_returns.portal_my_return", values)

    @http.route(
        ["/my/returns/<int:return_id>/label/<int:attachment_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_return_label(self, return_id, attachment_id, access_token=None, **_kwargs):
        """A return label, for the customer of the request only."""
        try:
            record = self._document_check_access("oms.return", return_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        label = record.sudo().label_attachment_ids.filtered(lambda a: a.id == attachment_id)
        if not label:
            raise request.not_found()
        return request.env["ir.binary"]._get_stream_from(label).get_response(as_attachment=True)

    @http.route(
        ["/my/orders/<int:order_id>/return"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        max_content_length=MAX_FORM_BYTES,
    )
    def portal_order_return(self, order_id, access_token=None, return_token=None, **post):
        """The return form of an order: for its customer signed in, through the
        order's portal access token, or for a guest through the return token the
        guest lookup gave (this order's return form only, for a while)."""
        if guest_return_token_valid(request.env, return_token, order_id):
            order = request.env["sale.order"].sudo().browse(order_id).exists()
            if not order or order.state != "sale":
                return request.redirect("/my")
        else:
            return_token = None
            try:
                order = self._document_check_access("sale.order", order_id, access_token)
            except (AccessError, MissingError):
                return request.redirect("/my")
        groups, verdicts = self._oms_returnable_groups(order)
        lines = request.env["sale.order.line"].sudo().union(*(group[1] for group in groups))
        error = None
        if request.httprequest.method == "POST":
            try:
                record = self._oms_create_return(order, lines, verdicts, post)
            except ValidationError as exc:
                error = exc.args[0]
            else:
                return request.redirect(record.get_portal_url())
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "access_token": access_token or "",
                "return_token": return_token or "",
                "sale_order": order,
                "lines": lines,
                "groups": [group for group in groups if group[1]],
                "verdicts": verdicts,
                "error": error,
                "today": fields.Date.context_today(order),
                "page_name": "order_return",
            }
        )
        return request.render("oms_returns.portal_order_return", values)

    def _oms_returnable_groups(self, order, limit=20):
        """``([(order, its lines still returnable)], verdicts)``: the order, then the
        signed-in customer's other orders with something still returnable (the
        latest first, at most ``limit``), so that one request can hold them all.
        Only orders the portal shows this customer (Odoo's record rules), never a
        colleague's. The lines of all these orders are judged at once: as many
        queries for a customer with 60 orders as for one with a single order."""
        orders = order | self._oms_other_orders(order, limit * 3)
        verdicts = orders.order_line.sudo()._oms_portal_verdicts()
        groups = [(order, order.order_line.sudo().filtered(lambda line: line in verdicts))]
        for other in orders[1:]:
            lines = other.order_line.sudo().filtered(lambda line: line in verdicts)
            if lines:
                groups.append((other, lines))
            if len(groups) == limit + 1:
                break
        return groups, verdicts

    def _oms_other_orders(self, order, limit):
        """The signed-in customer's other confirmed orders, the latest first."""
        user = request.env.user
        if user._is_public() or order.partner_id.commercial_partner_id != (
            user.partner_id.commercial_partner_id
        ):
            return order.browse()
        return request.env["sale.order"].search(
            [*self._prepare_orders_domain(user.partner_id), ("id", "!=", order.id)],
            order="date_order desc, id desc",
            limit=limit,
        )

    def _oms_create_return(self, order, lines, verdicts, post):
        """A request from the form: each line's quantity and reason, a comment, photos.
        Everything is checked before anything is stored."""
        chosen = []
        for line in lines:
            quantity = self._oms_form_quantity(post.get(f"qty_{line.id}"))
            if not quantity:
                continue
            verdict = verdicts[line]
            if quantity > verdict["returnable"]:
                raise ValidationError(
                    _(
                        "At most %(quantity)s of %(product)s can be returned.",
                        quantity=f"{verdict['returnable']:g}",
                        product=line.product_id.display_name,
                    )
                )
            reason = self._oms_form_reason(post.get(f"reason_{line.id}"), verdict["policy"])
            if not reason:
                raise ValidationError(_("Tell us why you return %s.", line.product_id.display_name))
            chosen.append(
                {
                    "sale_line_id": line.id,
                    "quantity": quantity,
                    "reason_id": reason.id,
                    "comment": (post.get(f"comment_{line.id}") or "")[:500],
                }
            )
        if not chosen:
            raise ValidationError(_("Choose at least one item to return."))
        photos = request.httprequest.files.getlist("photos")
        photos = [photo for photo in photos if photo.filename]
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(_("At most %s photos.", MAX_PHOTOS))
        files = []
        for photo in photos:
            # From the start: Odoo runs the request again after a serialization
            # failure (two requests for the same line), and rewinds only the first
            # file of each field.
            photo.seek(0)
            content = photo.read(MAX_PHOTO_BYTES + 1)
            if len(content) > MAX_PHOTO_BYTES:
                raise ValidationError(_("%s is larger than 5 MB.", photo.filename))
            # What the file is, not what the browser says it is.
            mimetype = guess_mimetype(content)
            if mimetype not in PHOTO_TYPES:
                raise ValidationError(
                    _("%s is not a photo (JPEG, PNG, WebP or GIF).", photo.filename)
                )
            files.append(
                (photo.filename, _strip_metadata(content, mimetype, photo.filename), mimetype)
            )
        env = request.env(su=True)
        with env.cr.savepoint():
            record = env["oms.return"].create(
                {
                    "partner_id": order.partner_id.id,
                    "company_id": order.company_id.id,
                    "note": (post.get("note") or "")[:2000],
                    "line_ids": [(0, 0, values) for values in chosen],
                }
            )
            for name, content, mimetype in files:
                env["ir.attachment"].create(
                    {
                        "name": name,
                        "datas": base64.b64encode(content),
                        "mimetype": mimetype,
                        "res_model": "oms.return",
                        "res_id": record.id,
                    }
                )
        record._portal_ensure_token()
        record._oms_submit()
        return record

    @staticmethod
    def _oms_form_quantity(value):
        """The quantity typed for a line: 0 when none; a whole, finite, sensible
        number, or a message."""
        value = (value or "").strip()
        if not value:
            return 0
        try:
            quantity = float(value)
        except ValueError:
            quantity = math.nan
        if not math.isfinite(quantity) or quantity != int(quantity) or quantity < 0:
            raise ValidationError(_("Quantities are whole numbers.")) from None
        if quantity > MAX_FORM_QUANTITY:
            raise ValidationError(_("%s items is more than any order holds.", value))
        return int(quantity)

    @staticmethod
    def _oms_form_reason(value, policy):
        """The reason chosen for a line, among those of its policy; an empty
        recordset when none was chosen, a message when it is not one of them."""
        Reason = request.env["oms.return.reason"].sudo()
        value = (value or "").strip()
        if not value:
            return Reason
        known = value.isascii() and value.isdigit() and len(value) < 10
        reason = Reason.browse(int(value)) if known else Reason
        if not reason or reason not in policy.reason_ids:
            raise ValidationError(_("Choose one of the reasons offered."))
        return reason

    # --- guests: find the order first ----------------------------------------------------
    @http.route(["/returns"], type="http", auth="public", methods=["GET", "POST"], website=True)
    def portal_guest_returns(self, **post):
        """A guest finds an order by its complete reference and the email or the
        delivery postcode; both must match exactly, and one order only. Attempts are
        limited per address and per reference; a failure never says which part was
        wrong. The guest then gets a token for this order's return form only, for a
        while, never the order's own access token."""
        error = None
        if request.httprequest.method == "POST":
            Lookup = request.env["oms.return.lookup"].sudo()
            # Behind a proxy, Odoo's proxy_mode makes this the forwarded address.
            address = request.httprequest.remote_addr or ""
            reference = (post.get("reference") or "").strip()
            keys = [f"address:{address}"]
            if reference:
                keys.append(f"reference:{reference.upper()[:100]}")
            if Lookup._oms_count_attempt(keys):
                error = _("Too many attempts. Please try again in a quarter of an hour.")
            else:
                order = Lookup._oms_find_order(
                    reference, post.get("contact"), self._oms_lookup_company()
                )
                if order:
                    token = guest_return_token(request.env, order)
                    return request.redirect(
                        f"/my/orders/{order.id}/return?{urlencode({'return_token': token})}"
                    )
                error = _("We could not find this order. Check the reference and try again.")
        values = {"error": error, "reference": post.get("reference", ""), "page_name": "returns"}
        return request.render("oms_returns.portal_guest_returns", values)

    @staticmethod
    def _oms_lookup_company():
        """The company whose orders a guest may find: the website's, else the
        request's."""
        website = getattr(request, "website", None)
        return website.company_id if website else request.env.company


def _strip_metadata(content, mimetype, filename):
    """The photo re-encoded without its metadata (EXIF: place, device, date), its
    orientation applied to the pixels."""
    try:
        with Image.open(io.BytesIO(content)) as original:
            if original.width * original.height > IMAGE_MAX_RESOLUTION:
                raise ValidationError(_("%s has too many pixels.", filename))
            output = io.BytesIO()
            if mimetype == "image/gif":
                original.save(output, format="GIF", save_all=True)
            else:
                image = ImageOps.exif_transpose(original)
                if mimetype == "image/jpeg" and image.mode not in ("RGB", "L", "CMYK"):
                    image = image.convert("RGB")
                image.save(output, format=PIL_FORMATS[mimetype])
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("%s is not a photo we can read.", filename)) from None
    return output.getvalue()
