"""The guest lookup and the return form's input, over HTTP: exact matching, one
order or none, attempts limited per address (behind a proxy too) and per
reference, a return token instead of the order's own, the website's company
only; quantities, reasons, uploads and photo metadata."""

import io
from datetime import datetime, timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from odoo.tests import new_test_user, tagged
from odoo.tools import config, hash_sign

from odoo.addons.oms_returns.controllers.portal import GUEST_TOKEN_SCOPE, MAX_FORM_BYTES

from .test_oms_return_portal import PortalReturnCase


def jpeg_with_exif(width=4, height=2, orientation=6):
    """A JPEG whose EXIF says where it was taken, with what, and how to turn it."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° to display
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x9286] = "secret comment"  # UserComment
    output = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(output, format="JPEG", exif=exif)
    return output.getvalue()


@tagged("post_install", "-at_install")
class TestGuestLookup(PortalReturnCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"email": "guest@example.com", "zip": "75001"})
        cls.order.partner_shipping_id = cls.customer

    def lookup(self, reference, contact, headers=None):
        return self.url_open(
            "/returns",
            data={"csrf_token": self.csrf("/returns"), "reference": reference, "contact": contact},
            headers=headers,
            allow_redirects=False,
        )

    def assertNotFound(self, response):
        self.assertEqual(response.status_code, 200)
        self.assertIn("We could not find this order", response.text)

    def test_wildcards_and_partial_references_find_nothing(self):
        name = self.order.name
        for reference, contact in (
            ("%", "75001"),
            ("_%", "guest@example.com"),
            (name[:-1] + "_", "75001"),
            (name[:-1], "75001"),
            (name[:2] + "%", "guest@example.com"),
            (name, "%"),
            (name, "%@example.com"),
            (name, "guest_example.com"),
        ):
            self.assertNotFound(self.lookup(reference, contact))
        found = self.lookup(name.lower(), " Guest@Example.com ")
        self.assertEqual(found.status_code, 303, "the complete reference, any case")

    def test_a_reference_of_several_orders_finds_none(self):
        self.order.client_order_ref = "PO-77"
        second = self.delivered_order(self.customer)
        second.write({"client_order_ref": "PO-77", "partner_shipping_id": self.customer.id})
        self.assertNotFound(self.lookup("PO-77", "75001"))
        second.client_order_ref = "PO-78"
        self.assertEqual(self.lookup("PO-77", "75001").status_code, 303, "one order: found")

    def test_the_guest_gets_a_return_token_for_this_order_only(self):
        response = self.lookup(self.order.name, "guest@example.com")
        self.assertEqual(response.status_code, 303)
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, self.form_url())
        query = parse_qs(location.query)
        self.assertNotIn("access_token", query, "never the order's permanent token")
        self.assertFalse(self.order.access_token, "no permanent token was even made")
        token = query["return_token"][0]
        form = self.url_open(f"{self.form_url()}?return_token={token}")
        self.assertIn("Portal Mug", form.text)
        # Not the order page, nor another order's return form.
        page = self.url_open(f"/my/orders/{self.order.id}?return_token={token}")
        self.assertNotIn("Portal Mug", page.text)
        other = self.delivered_order(self.other_user.partner_id)
        response = self.url_open(
            f"/my/orders/{other.id}/return?return_token={token}", allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        # Posted with a token of another order: refused, nothing stored.
        line = other.order_line
        self.url_open(
            f"/my/orders/{other.id}/return",
            data={
                "csrf_token": self.csrf(f"{self.form_url()}?return_token={token}"),
                "return_token": token,
                f"qty_{line.id}": "1",
                f"reason_{line.id}": str(self.reason.id),
            },
        )
        self.assertFalse(self.env["oms.return"].search([("partner_id", "=", other.partner_id.id)]))

    def test_an_expired_or_forged_return_token_opens_nothing(self):
        expired = hash_sign(
            self.env(su=True),
            GUEST_TOKEN_SCOPE,
            {"order": self.order.id},
            datetime.now() - timedelta(minutes=1),
        )
        forged = hash_sign(self.env(su=True), "another.scope", {"order": self.order.id})
        for token in (expired, forged, "not-a-token", "%00"):
            response = self.url_open(
                f"{self.form_url()}?return_token={token}", allow_redirects=False
            )
            self.assertEqual(response.status_code, 303, token)
            self.assertTrue(response.headers["Location"].endswith("/my"), token)

    def test_attempts_are_limited_per_reference_whatever_the_address(self):
        with patch.dict(config.options, {"proxy_mode": True}):
            for attempt in range(10):
                self.assertNotFound(
                    self.lookup(self.order.name, "nobody", self.forwarded(f"198.51.100.{attempt}"))
                )
            response = self.lookup(
                self.order.name, "guest@example.com", self.forwarded("198.51.100.200")
            )
        self.assertIn("Too many attempts", response.text)

    def test_behind_a_proxy_the_forwarded_address_is_limited(self):
        with patch.dict(config.options, {"proxy_mode": True}):
            for attempt in range(10):
                self.assertNotFound(
                    self.lookup(f"S-NONE-{attempt}", "nobody", self.forwarded("203.0.113.5"))
                )
            blocked = self.lookup(self.order.name, "75001", self.forwarded("203.0.113.5"))
            self.assertIn("Too many attempts", blocked.text)
            other = self.lookup(self.order.name, "75001", self.forwarded("203.0.113.6"))
        self.assertEqual(other.status_code, 303, "another customer behind the same proxy")
        counted = self.env["oms.return.lookup"].sudo().search([("key", "like", "address:")])
        self.assertEqual(
            sorted(counted.mapped("key")), ["address:203.0.113.5", "address:203.0.113.6"]
        )

    def forwarded(self, address):
        return {
            "X-Forwarded-For": address,
            "X-Forwarded-Host": f"127.0.0.1:{config['http_port']}",
            "X-Forwarded-Proto": "http",
        }

    def test_only_orders_of_the_request_company_are_found(self):
        other_company = self.env["res.company"].create({"name": "Returns Elsewhere"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other_company.id)])
        self.env["stock.quant"].with_company(other_company)._update_available_quantity(
            self.mug, warehouse.lot_stock_id, 5
        )
        theirs = (
            self.env["sale.order"]
            .with_company(other_company)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other_company.id,
                    "client_order_ref": "ELSEWHERE-1",
                    "order_line": [(0, 0, {"product_id": self.mug.id, "product_uom_qty": 1})],
                }
            )
        )
        theirs.action_confirm()
        self.assertEqual(theirs.state, "sale")
        self.assertNotFound(self.lookup(theirs.name, "guest@example.com"))
        self.assertNotFound(self.lookup("ELSEWHERE-1", "75001"))


@tagged("post_install", "-at_install")
class TestReturnFormInput(PortalReturnCase):
    def post(self, line, quantity, reason=None, files=None):
        return self.url_open(
            self.form_url(),
            data={
                "csrf_token": self.csrf(self.form_url()),
                f"qty_{line.id}": quantity,
                f"reason_{line.id}": str(self.reason.id) if reason is None else reason,
            },
            files=files,
        )

    def stored(self):
        return self.env["oms.return"].search([("partner_id", "=", self.customer.id)])

    def test_odd_quantities_answer_the_form(self):
        self.authenticate("returner", "returner-pass-1")
        line = self.order.order_line
        for quantity in ("abc", "nan", "NaN", "inf", "-inf", "1e400", "-1", "1.5", "9" * 400):
            response = self.post(line, quantity)
            self.assertEqual(response.status_code, 200, quantity)
            self.assertIn("o_oms_return_form", response.text, quantity)
            self.assertIn("alert-danger", response.text, quantity)
        response = self.post(line, "99999999")
        self.assertIn("more than any order holds", response.text)
        self.assertIn("At most 2", self.post(line, "3").text)
        self.assertFalse(self.stored())

    def test_unknown_and_foreign_reasons_answer_the_form(self):
        self.authenticate("returner", "returner-pass-1")
        line = self.order.order_line
        foreign = self.env["oms.return.reason"].create({"name": "Not in any policy"})
        for reason in ("abc", "999999999", "99999999999999999999", "-3", "²", str(foreign.id)):
            response = self.post(line, "1", reason=reason)
            self.assertEqual(response.status_code, 200, reason)
            self.assertIn("Choose one of the reasons offered", response.text, reason)
        self.assertFalse(self.stored())

    def test_a_request_above_the_size_limit_is_refused_before_it_is_read(self):
        self.authenticate("returner", "returner-pass-1")
        line = self.order.order_line
        big = io.BytesIO(b"\0" * (MAX_FORM_BYTES + 1))
        response = self.post(line, "1", files={"photos": ("big.png", big, "image/png")})
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.stored())

    def test_photo_metadata_is_stripped_and_its_orientation_kept(self):
        self.authenticate("returner", "returner-pass-1")
        line = self.order.order_line
        original = jpeg_with_exif(width=4, height=2, orientation=6)
        self.assertIn(b"PhoneMaker", original)
        response = self.post(
            line, "1", files={"photos": ("photo.jpg", io.BytesIO(original), "image/jpeg")}
        )
        self.assertEqual(response.status_code, 200)
        request = self.stored()
        self.assertEqual(len(request), 1)
        photo = self.env["ir.attachment"].search(
            [("res_model", "=", "oms.return"), ("res_id", "=", request.id)]
        )
        self.assertEqual(photo.mimetype, "image/jpeg")
        self.assertNotIn(b"PhoneMaker", photo.raw)
        self.assertNotIn(b"secret comment", photo.raw)
        with Image.open(io.BytesIO(photo.raw)) as image:
            self.assertFalse(dict(image.getexif()), "no EXIF left")
            self.assertEqual(image.size, (2, 4), "turned as the EXIF said, then forgotten")

    def test_a_guest_without_a_token_cannot_post_the_form(self):
        line = self.order.order_line
        response = self.url_open(
            self.form_url(),
            data={
                "csrf_token": self.csrf("/returns"),
                f"qty_{line.id}": "1",
                f"reason_{line.id}": str(self.reason.id),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertFalse(self.stored())


@tagged("post_install", "-at_install")
class TestGuestReturnAsPortalUser(PortalReturnCase):
    def test_a_signed_in_customer_still_uses_the_form_without_token(self):
        user = new_test_user(
            self.env, login="returner_two", password="returner-two-1", groups="base.group_portal"
        )
        order = self.delivered_order(user.partner_id)
        self.authenticate("returner_two", "returner-two-1")
        response = self.url_open(f"/my/orders/{order.id}/return")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Portal Mug", response.text)
