"""The customer's return form on the portal, signed in, over HTTP."""

import base64
import io
from unittest.mock import patch

from psycopg2.errors import SerializationFailure

from odoo.tests import HttpCase, new_test_user, tagged

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class ConcurrentUpdate(SerializationFailure):
    """What PostgreSQL raises when another transaction stored a request first."""

    pgcode = "40001"


class PortalReturnCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        cls.env["oms.hold.rule"].search([]).active = False
        cls.portal_user = new_test_user(
            cls.env, login="returner", password="returner-pass-1", groups="base.group_portal"
        )
        cls.customer = cls.portal_user.partner_id
        cls.other_user = new_test_user(
            cls.env, login="stranger", password="stranger-pass-1", groups="base.group_portal"
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.mug = cls.env["product.product"].create(
            {"name": "Portal Mug", "is_storable": True, "list_price": 20.0}
        )
        cls.env["stock.quant"]._update_available_quantity(cls.mug, warehouse.lot_stock_id, 10)
        cls.order = cls.delivered_order(cls.customer)
        cls.reason = cls.env.ref("oms_returns.reason_too_small")

    @classmethod
    def delivered_order(cls, partner, quantity=2):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": cls.mug.id, "product_uom_qty": quantity})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        picking.button_validate()
        return order

    def form_url(self):
        return f"/my/orders/{self.order.id}/return"

    def csrf(self, url):
        """The CSRF token of the form on the page at ``url``."""
        page = self.url_open(url)
        return page.text.split('name="csrf_token" value="')[1].split('"')[0]

    def return_form(self, line, quantity=1, **values):
        """What the return form posts for ``quantity`` of ``line`` (too small)."""
        return {
            "csrf_token": self.csrf(self.form_url()),
            f"qty_{line.id}": str(quantity),
            f"reason_{line.id}": str(self.reason.id),
            **values,
        }


@tagged("post_install", "-at_install")
class TestReturnPortal(PortalReturnCase):
    def test_order_page_offers_the_return_and_the_form_shows_the_verdict(self):
        self.authenticate("returner", "returner-pass-1")
        page = self.url_open(f"/my/orders/{self.order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Return items", page.text)
        form = self.url_open(self.form_url())
        self.assertEqual(form.status_code, 200)
        self.assertIn("Portal Mug", form.text)
        self.assertIn("days left", form.text)
        self.assertIn(self.reason.name, form.text)

    def test_request_with_a_photo_is_stored_and_followed(self):
        self.authenticate("returner", "returner-pass-1")
        line = self.order.order_line
        response = self.url_open(
            self.form_url(),
            data=self.return_form(
                line, **{f"comment_{line.id}": "a size up please"}, note="thanks"
            ),
            files={"photos": ("mug.png", io.BytesIO(PNG), "image/png")},
        )
        self.assertEqual(response.status_code, 200)
        request = self.env["oms.return"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.line_ids.quantity, 1)
        self.assertEqual(request.line_ids.comment, "a size up please")
        self.assertEqual(request.state, "approved")
        photo = self.env["ir.attachment"].search(
            [("res_model", "=", "oms.return"), ("res_id", "=", request.id)]
        )
        self.assertEqual(photo.name, "mug.png")
        self.assertIn(request.name, response.text, "redirected to the request's page")
        listing = self.url_open("/my/returns")
        self.assertIn(request.name, listing.text)

    def test_a_request_run_again_after_a_concurrent_one_keeps_all_its_photos(self):
        """Odoo runs the request again when another one for the same line was stored
        meanwhile (a serialization failure); every photo is read again from its start."""
        self.authenticate("returner", "returner-pass-1")
        line = self.order.order_line
        SaleLine = type(line)
        lock = SaleLine._oms_lock_for_return
        failures = []

        def concurrent_once(lines):
            if not failures:
                failures.append(lines)
                raise ConcurrentUpdate("could not serialize access due to concurrent update")
            return lock(lines)

        data = self.return_form(line)
        with patch.object(SaleLine, "_oms_lock_for_return", concurrent_once):
            response = self.url_open(
                self.form_url(),
                data=data,
                files=[
                    ("photos", ("front.png", io.BytesIO(PNG), "image/png")),
                    ("photos", ("back.png", io.BytesIO(PNG), "image/png")),
                ],
            )
        self.assertEqual(response.status_code, 200, response.text[-3000:])
        self.assertEqual(len(failures), 1, "the request ran twice")
        request = self.env["oms.return"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(request), 1)
        photos = self.env["ir.attachment"].search(
            [("res_model", "=", "oms.return"), ("res_id", "=", request.id)]
        )
        self.assertEqual(sorted(photos.mapped("name")), ["back.png", "front.png"])

    def test_bad_input_is_refused_and_nothing_stored(self):
        self.authenticate("returner", "returner-pass-1")
        line = self.order.order_line
        token = self.csrf(self.form_url())
        for data, files, message in (
            ({f"qty_{line.id}": "0"}, None, "Choose at least one item"),
            ({f"qty_{line.id}": "1"}, None, "Tell us why"),
            ({f"qty_{line.id}": "5", f"reason_{line.id}": str(self.reason.id)}, None, "At most 2"),
            (
                {f"qty_{line.id}": "1", f"reason_{line.id}": str(self.reason.id)},
                {"photos": ("cv.pdf", io.BytesIO(b"%PDF-1.4"), "application/pdf")},
                "is not a photo",
            ),
            (
                {f"qty_{line.id}": "1", f"reason_{line.id}": str(self.reason.id)},
                {"photos": ("disguised.png", io.BytesIO(b"%PDF-1.4 not an image"), "image/png")},
                "is not a photo",
            ),
        ):
            response = self.url_open(
                self.form_url(), data={"csrf_token": token, **data}, files=files
            )
            self.assertIn(message, response.text)
        self.assertFalse(self.env["oms.return"].search([("partner_id", "=", self.customer.id)]))

    def test_one_request_holds_items_of_two_orders(self):
        second = self.delivered_order(self.customer, quantity=1)
        self.authenticate("returner", "returner-pass-1")
        page = self.url_open(self.form_url())
        self.assertIn(second.name, page.text, "the other order is offered on the same form")
        first_line, second_line = self.order.order_line, second.order_line
        response = self.url_open(
            self.form_url(),
            data={
                "csrf_token": self.csrf(self.form_url()),
                f"qty_{first_line.id}": "1",
                f"reason_{first_line.id}": str(self.reason.id),
                f"qty_{second_line.id}": "1",
                f"reason_{second_line.id}": str(self.reason.id),
            },
        )
        self.assertEqual(response.status_code, 200)
        request = self.env["oms.return"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.order_ids, self.order | second)
        self.assertEqual(request.line_ids.sale_line_id, first_line | second_line)

    def test_a_line_of_someone_elses_order_cannot_be_slipped_in(self):
        theirs = self.delivered_order(self.other_user.partner_id)
        line = theirs.order_line
        self.authenticate("returner", "returner-pass-1")
        response = self.url_open(
            self.form_url(),
            data={
                "csrf_token": self.csrf(self.form_url()),
                f"qty_{line.id}": "1",
                f"reason_{line.id}": str(self.reason.id),
            },
        )
        self.assertIn("Choose at least one item", response.text)
        self.assertFalse(
            self.env["oms.return"].search([]).filtered(lambda r: r.line_ids.sale_line_id & line)
        )

    def test_another_customer_cannot_see_a_return_nor_its_label(self):
        request = self.env["oms.return"].create(
            {
                "partner_id": self.customer.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "sale_line_id": self.order.order_line.id,
                            "quantity": 1,
                            "reason_id": self.reason.id,
                        },
                    )
                ],
            }
        )
        label = self.env["ir.attachment"].create(
            {
                "name": "label.pdf",
                "raw": b"%PDF-1.4",
                "res_model": "oms.return",
                "res_id": request.id,
            }
        )
        request.label_attachment_ids = label
        self.authenticate("stranger", "stranger-pass-1")
        for url in (f"/my/returns/{request.id}", f"/my/returns/{request.id}/label/{label.id}"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertTrue(response.headers["Location"].endswith("/my"), url)
        self.assertNotIn(request.name, self.url_open("/my/returns").text)
        self.authenticate("returner", "returner-pass-1")
        response = self.url_open(f"/my/returns/{request.id}/label/{label.id}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"%PDF-1.4")

    def test_a_form_without_its_csrf_token_is_refused(self):
        line = self.order.order_line
        self.authenticate("returner", "returner-pass-1")
        response = self.url_open(
            self.form_url(),
            data={f"qty_{line.id}": "1", f"reason_{line.id}": str(self.reason.id)},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["oms.return"].search([("partner_id", "=", self.customer.id)]))

    def test_another_customer_cannot_return_this_order(self):
        self.authenticate("stranger", "stranger-pass-1")
        response = self.url_open(self.form_url(), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))


@tagged("post_install", "-at_install")
class TestGuestReturns(PortalReturnCase):
    def test_guest_finds_the_order_by_reference_and_email_or_postcode(self):
        self.customer.write({"email": "Guest@Example.com", "zip": "75 001"})
        self.order.partner_shipping_id = self.customer
        token = self.csrf("/returns")
        wrong = self.url_open(
            "/returns",
            data={"csrf_token": token, "reference": self.order.name, "contact": "x@example.com"},
        )
        self.assertIn("We could not find this order", wrong.text)
        by_postcode = self.url_open(
            "/returns",
            data={"csrf_token": token, "reference": self.order.name, "contact": "75001"},
            allow_redirects=False,
        )
        self.assertEqual(by_postcode.status_code, 303)
        found = self.url_open(
            "/returns",
            data={
                "csrf_token": token,
                "reference": self.order.name,
                "contact": "guest@example.com",
            },
        )
        self.assertIn("Portal Mug", found.text, "the return form, through a return token")
        line = self.order.order_line
        form_token = found.text.split('name="csrf_token" value="')[1].split('"')[0]
        return_token = found.text.split('name="return_token" value="')[1].split('"')[0]
        response = self.url_open(
            self.form_url(),
            data={
                "csrf_token": form_token,
                "return_token": return_token,
                f"qty_{line.id}": "1",
                f"reason_{line.id}": str(self.reason.id),
            },
        )
        request = self.env["oms.return"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(request), 1)
        self.assertIn(request.name, response.text)

    def test_guest_attempts_are_limited_without_saying_what_was_wrong(self):
        token = self.csrf("/returns")
        for _attempt in range(10):
            response = self.url_open(
                "/returns", data={"csrf_token": token, "reference": "S0", "contact": "nobody"}
            )
            self.assertIn("We could not find this order", response.text)
        response = self.url_open(
            "/returns",
            data={"csrf_token": token, "reference": self.order.name, "contact": "75001"},
        )
        self.assertIn("Too many attempts", response.text)
