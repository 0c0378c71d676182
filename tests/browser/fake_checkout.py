"""A fake Stripe with a Checkout page a browser can use, on 127.0.0.1.

It is the billing tests' fake Stripe REST API (``tests/billing/fake_stripe.py``) plus what a person
sees: a Checkout session's ``url`` points at this server's ``/c/pay/<session id>``, an HTML page with
the plan and a Subscribe button. Subscribing does what Stripe does: the session completes, a
subscription exists for the customer, and the browser goes back to the session's ``success_url``.
As with Stripe, the site learns of it only from the webhook: ``deliver_webhooks(url)`` signs and
posts the ``checkout.session.completed`` and ``customer.subscription.created`` events, built from
the billing tests' event files, to the site's webhook endpoint.
"""

from __future__ import annotations

import html
import json
import re
import time
from urllib.parse import urlsplit

import requests

from tests.billing.conftest import EVENTS, WEBHOOK_SECRET, stripe_signature
from tests.billing.fake_stripe import FakeStripe

# The event files' timestamps sit around this instant; events are moved to "now".
_FILE_EPOCH = 1_790_000_000
_TIMESTAMP = re.compile(r"\b17[89]\d{7}\b")


class FakeStripeCheckout(FakeStripe):
    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.completed: list[str] = []
        self.events: list[dict] = []
        super().__init__()

    # --- the REST API: Checkout sessions now have a page here ---------------------------------

    def _answer(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        status, payload = super()._answer(method, path, params)
        if method == "POST" and path == "/v1/checkout/sessions" and status == 200:
            session = {
                **payload,
                "url": f"{self.url}/c/pay/{payload['id']}",
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "client_reference_id": params.get("client_reference_id"),
                "price": params.get("line_items[0][price]"),
                "metadata": {"user_id": params.get("metadata[user_id]"), "plan": params.get("metadata[plan]")},
            }
            self.sessions[payload["id"]] = session
            payload = {**payload, "url": session["url"]}
        return status, payload

    # --- the Checkout page ----------------------------------------------------------------------

    def _handler(self):
        api = super()._handler()
        fake = self

        class Handler(api):
            def _page(self, status: int, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlsplit(self.path).path
                if not path.startswith("/c/pay/"):
                    return super().do_GET()
                session = fake.sessions.get(path.rsplit("/", 1)[-1])
                if session is None:
                    return self._page(404, "<!doctype html><title>Not found</title><h1>No such checkout</h1>")
                plan = html.escape(session["metadata"]["plan"] or "")
                return self._page(
                    200,
                    f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stripe Checkout (fake)</title></head>
<body><main><h1>Subscribe to Grant Finder {plan.title()}</h1>
<p>Price {html.escape(session["price"] or "")}, billed monthly. Test card 4242 4242 4242 4242.</p>
<form method="post"><button type="submit">Subscribe</button></form>
<p><a href="{html.escape(session["cancel_url"] or "")}">Back to Grant Finder</a></p></main></body></html>""",
                )

            def do_POST(self):
                path = urlsplit(self.path).path
                if not path.startswith("/c/pay/"):
                    return super().do_POST()
                session = fake.sessions.get(path.rsplit("/", 1)[-1])
                if session is None:
                    return self._page(404, "<!doctype html><title>Not found</title><h1>No such checkout</h1>")
                fake._complete(session)
                self.send_response(303)
                self.send_header("Location", session["success_url"])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None

        return Handler

    # --- what completing a Checkout does --------------------------------------------------------

    def _event(self, name: str, session: dict) -> dict:
        text = (EVENTS / f"{name}.json").read_text()
        offset = int(time.time()) - _FILE_EPOCH
        text = _TIMESTAMP.sub(lambda match: str(int(match.group(0)) + offset), text)
        text = text.replace('"cus_1"', json.dumps(session["customer"]))
        text = text.replace('"cs_test_1"', json.dumps(session["id"]))
        text = text.replace("__USER_ID__", session["client_reference_id"])
        return json.loads(text)

    def _complete(self, session: dict) -> None:
        self.events = [self._event("checkout_session_completed", session)]
        self.events.append(self._event("customer_subscription_created", session))
        for event in self.events:
            self.put(event["data"]["object"])
        self.completed.append(session["id"])

    def deliver_webhooks(self, webhook_url: str) -> list[int]:
        """Send the completed Checkout's events to the site, signed; returns the HTTP statuses."""
        statuses = []
        for event in self.events:
            payload = json.dumps(event)
            response = requests.post(
                webhook_url,
                data=payload,
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": stripe_signature(payload, WEBHOOK_SECRET),
                },
                timeout=30,
            )
            statuses.append(response.status_code)
        return statuses
