"""A small fake of Stripe's REST API on 127.0.0.1 (stack.md section 2, Recipe A).

It serves the objects a test stores (dj-stripe re-fetches every object an event names, so the
stored object, not the event payload, is what gets synced), creates customers and Checkout and
portal sessions, and records every request so tests can assert on what was sent.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from tests.fake_server import FakeHandler, FakeServer

ACCOUNT = {
    "id": "acct_fake",
    "object": "account",
    "type": "standard",
    "country": "US",
    "default_currency": "usd",
    "settings": {"dashboard": {"display_name": "Grant Finder test"}},
}

_COLLECTIONS = {
    "customer": "customers",
    "subscription": "subscriptions",
    "invoice": "invoices",
    "price": "prices",
    "product": "products",
    "checkout.session": "checkout/sessions",
}


@dataclass
class Request:
    method: str
    path: str
    params: dict


class FakeStripe(FakeServer):
    def __init__(self):
        self.objects: dict[str, dict] = {}
        self.requests: list[Request] = []
        self.fail_posts_with: int | None = None  # answer every POST with this status
        self._counter = 0
        self._lock = threading.Lock()
        super().__init__(self._handler())

    @property
    def url(self) -> str:
        return self.origin

    def put(self, obj: dict) -> None:
        """Store ``obj`` as Stripe's current state of that object."""
        self.objects[f"/v1/{_COLLECTIONS[obj['object']]}/{obj['id']}"] = obj

    def posts(self, path: str) -> list[dict]:
        return [request.params for request in self.requests if request.method == "POST" and request.path == path]

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            self._counter += 1
            return f"{prefix}_fake{self._counter:04d}"

    def _answer(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        self.requests.append(Request(method, path, params))
        if method == "GET":
            if path == "/v1/account":
                return 200, ACCOUNT
            if path in self.objects:
                return 200, self.objects[path]
            if path.endswith("/features"):
                return 200, {"object": "list", "data": [], "has_more": False, "url": path}
            return 404, _missing(path)
        if self.fail_posts_with:
            return self.fail_posts_with, {"error": {"type": "api_error", "message": "The fake is down."}}
        if path == "/v1/customers":
            customer = {
                "id": self._next_id("cus"),
                "object": "customer",
                "email": params.get("email"),
                "livemode": False,
                "created": 1_790_000_000,
                "metadata": {key[9:-1]: value for key, value in params.items() if key.startswith("metadata[")},
                "currency": None,
                "delinquent": False,
                "balance": 0,
                "invoice_settings": {},
            }
            self.put(customer)
            return 200, customer
        if path == "/v1/checkout/sessions":
            session_id = self._next_id("cs_test")
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "customer": params.get("customer"),
                "mode": params.get("mode"),
            }
        if path == "/v1/billing_portal/sessions":
            session_id = self._next_id("bps")
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "url": f"https://billing.stripe.test/p/session/{session_id}",
                "customer": params.get("customer"),
                "return_url": params.get("return_url"),
            }
        return 404, _missing(path)

    def _handler(self):
        fake = self

        class Handler(FakeHandler):
            def _reply(self, method: str):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = dict(parse_qsl(body or parts.query, keep_blank_values=True))
                status, payload = fake._answer(method, parts.path, params)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._reply("GET")

            def do_POST(self):
                self._reply("POST")

            def do_DELETE(self):
                self._reply("DELETE")

            def log_message(self, *args):
                pass

        return Handler


def _missing(path: str) -> dict:
    return {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": f"No such object: {path.rsplit('/', 1)[-1]}",
        }
    }
