"""Every web route of the OMS addons refuses what it should (issue 24 point 5).

Walks Odoo's routing map, so that a route added tomorrow is checked too: each
OMS route must be named in ROUTES with what guards it. A route that skips
Odoo's login or its CSRF check must be a signed webhook; each signed webhook is
then sent a wrong signature (refused, nothing stored) and a body declared
larger than its limit (refused before it is read: the answer comes although
the body never does). The portal routes' own guards (another customer's records
by id and by token, the guest lookup's attempt limit, CSRF on their forms) are
tested beside them in oms_returns (test_oms_return_portal.py,
test_oms_return_guest.py)."""

import socket
from urllib.parse import urlsplit

from odoo import http
from odoo.tests import HttpCase

from odoo.addons.oms_carriers.controllers.parcel_tracking import (
    MAX_BODY_BYTES as DRIVER_UPDATE_LIMIT,
)
from odoo.addons.oms_carriers.controllers.tracking_webhook import (
    MAX_BODY_BYTES as CARRIER_WEBHOOK_LIMIT,
)
from odoo.addons.oms_channels.controllers.webhook import MAX_BODY_BYTES as CHANNEL_WEBHOOK_LIMIT

# Each OMS route, and what guards it.
ROUTES = {
    "/oms/channels/<int:channel_id>/webhook": "signed",
    "/oms/carriers/<int:carrier_id>/webhook": "signed",
    "/oms/carriers/<int:carrier_id>/driver": "signed",
    "/oms/track/<string:token>": "the parcel's unguessable token (read only)",
    "/returns": "guest lookup: attempt limit, CSRF on its form",
    "/my/returns": "login",
    "/my/returns/<int:return_id>": "login or the return's access token",
    "/my/returns/<int:return_id>/label/<int:attachment_id>": "login or access token",
    "/my/orders/<int:order_id>/return": "login or the order's access token, CSRF",
}


class TestRoutes(HttpCase):
    test_tags = {"standard", "post_install", "oms_routes"}
    test_module = "oms_routes"

    def _oms_routes(self):
        """The routes of the installed modules (as ir.http builds its map) whose
        code is in an OMS addon, with their merged ``@route`` arguments."""
        routes = {}
        modules = self.env.registry._init_modules
        for url, endpoint in http._generate_routing_rules(modules, nodb_only=False):
            function = getattr(endpoint, "original_endpoint", None) or endpoint
            if getattr(function, "__module__", "").startswith("odoo.addons.oms_"):
                routes[url] = endpoint.routing
        return routes

    def test_every_route_is_known_and_only_webhooks_skip_login_or_csrf(self):
        routes = self._oms_routes()
        self.assertEqual(set(routes), set(ROUTES), "name each OMS route and its guard")
        open_doors = sorted(
            url
            for url, routing in routes.items()
            if routing.get("auth") == "none" or routing.get("csrf") is False
        )
        self.assertEqual(
            open_doors, sorted(url for url, guard in ROUTES.items() if guard == "signed")
        )

    # --- the signed webhooks -----------------------------------------------------------
    def _targets(self):
        """Per signed route: its URL on a real channel or carrier, its signature
        header, its body limit, and how many records it stored."""
        channel = self.env["oms.channel"].create(
            {"name": "Routes (Shopify)", "channel_type": "shopify", "webhook_secret": "s3cret"}
        )
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Routes (EasyPost)",
                "delivery_type": "oms_easypost",
                "product_id": self.env["product.product"]
                .create({"name": "Routes shipping", "type": "service"})
                .id,
                "oms_webhook_secret": "s3cret",
            }
        )
        fleet = self.env["delivery.carrier"].create(
            {
                "name": "Routes (own fleet)",
                "delivery_type": "oms_own_fleet",
                "product_id": carrier.product_id.id,
                "oms_webhook_secret": "s3cret",
            }
        )
        Inbox, Event = self.env["oms.channel.inbox"], self.env["oms.carrier.tracking.event"]
        Nonce = self.env["oms.carrier.driver.nonce"]
        return {
            "/oms/channels/<int:channel_id>/webhook": (
                f"/oms/channels/{channel.id}/webhook",
                {
                    "X-Shopify-Hmac-Sha256": "bm90IGEgc2lnbmF0dXJl",
                    "X-Shopify-Topic": "orders/create",
                },
                CHANNEL_WEBHOOK_LIMIT,
                lambda: Inbox.search_count([("channel_id", "=", channel.id)]),
            ),
            "/oms/carriers/<int:carrier_id>/webhook": (
                f"/oms/carriers/{carrier.id}/webhook",
                {"X-Hmac-Signature": "hmac-sha256-hex=00"},
                CARRIER_WEBHOOK_LIMIT,
                lambda: Event.search_count([]),
            ),
            "/oms/carriers/<int:carrier_id>/driver": (
                f"/oms/carriers/{fleet.id}/driver",
                {"X-Oms-Timestamp": "1", "X-Oms-Signature": "00"},
                DRIVER_UPDATE_LIMIT,
                lambda: Event.search_count([]) + Nonce.search_count([]),
            ),
        }

    def test_signed_webhooks_refuse_a_wrong_signature_and_store_nothing(self):
        targets = self._targets()
        self.assertEqual(set(targets), {u for u, g in ROUTES.items() if g == "signed"})
        body = b'{"id": 1, "result": {"tracking_code": "EZ1"}, "description": "tracker.updated"}'
        for route, (url, headers, _limit, stored) in targets.items():
            before = stored()
            response = self.url_open(
                url, data=body, headers={"Content-Type": "application/json", **headers}
            )
            self.assertEqual(response.status_code, 401, route)
            self.assertEqual(stored(), before, route)

    def test_signed_webhooks_refuse_a_body_over_their_limit_unread(self):
        address = urlsplit(self.base_url())
        for route, (url, headers, limit, stored) in self._targets().items():
            before = stored()
            with socket.create_connection((address.hostname, address.port), timeout=20) as sock:
                head = [
                    f"POST {url} HTTP/1.1",
                    f"Host: {address.netloc}",
                    "Content-Type: application/json",
                    f"Content-Length: {limit + 1}",
                    *(f"{name}: {value}" for name, value in headers.items()),
                    "",
                    "",
                ]
                # Only the start of the body is sent: a server that reads on waits
                # for the rest, and the socket's timeout fails the test.
                sock.sendall("\r\n".join(head).encode() + b'{"id": 1')
                status_line = sock.makefile("rb").readline().decode()
            self.assertIn(" 413 ", status_line, route)
            self.assertEqual(stored(), before, route)
