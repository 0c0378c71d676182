"""A fake Grants.gov on 127.0.0.1 that plays back recorded answers (tests/grants/recorded/).

A real HTTP server in a thread, so the adapter's requests, JSON and timeouts are exercised for
real. ``hits`` are recorded search2 rows, served page by page (startRecordNum/rows) in the
recorded envelope. ``details`` maps an opportunity id to a recorded fetchOpportunity file (or
to the ``data`` of one, when a test changes a recorded value between two syncs); any other id
gets the recorded not-found answer. ``answers`` maps an id to a whole recorded answer (e.g. the
backend-unavailable one). Failures: ``fail`` (endpoint -> HTTP status, with the recorded gateway
body), ``hang`` (answers held until the server stops, so the client's timeout fires),
``truncate`` (the body is cut off midway and the connection closed), ``fail_search_from``
(search2 answers 500 from that startRecordNum on). ``files`` serves the daily XML extract by
GET path; any other GET gets the gateway's 403.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

from tests.fake_server import FakeHandler, FakeServer

RECORDED = Path(__file__).parent / "recorded"
# API Gateway's own bodies, as recorded by cyanheads/grantsgov-mcp-server docs/design.md.
GATEWAY_ERROR = {"message": "Internal server error"}
MISSING_TOKEN = {"message": "Missing Authentication Token"}


def recorded(name: str) -> dict:
    """A recorded answer from tests/grants/recorded/: ``{"source", "note", "status", "body"}``."""
    return json.loads((RECORDED / name).read_text())


def recorded_detail(name: str) -> dict:
    """The ``data`` of a recorded fetchOpportunity answer (a fresh copy, safe to change)."""
    return copy.deepcopy(recorded(name)["body"]["data"])


def recorded_hits(name: str = "search2_hits_live_spelling.json") -> list[dict]:
    return recorded(name)["body"]["data"]["oppHits"]


def recorded_hit(opp_id: str, name: str = "search2_hits_live_spelling.json") -> dict:
    return next(hit for hit in recorded_hits(name) if hit["id"] == opp_id)


def hit_for(detail: dict) -> dict:
    """The search2 row Grants.gov lists beside a recorded detail (same id, number, title, dates)."""
    block = detail.get("synopsis") or detail.get("forecast") or {}
    forecast = detail.get("docType") == "forecast"

    def slashed(value: str | None) -> str:  # "2026-10-19-00-00-00" -> "10/19/2026", as search2 writes it
        return f"{value[5:7]}/{value[8:10]}/{value[:4]}" if value else ""

    return {
        "id": str(detail["id"]),
        "number": detail["opportunityNumber"],
        "title": detail["opportunityTitle"],
        "agencyCode": detail["owningAgencyCode"],
        "agency": (detail.get("agencyDetails") or {}).get("agencyName", ""),
        "openDate": slashed(block.get("postingDateStr")),
        "closeDate": "" if forecast else slashed(block.get("responseDateStr")),
        "oppStatus": "forecasted" if forecast else "posted",
        "docType": detail.get("docType"),
        "cfdaList": [c["cfdaNumber"] for c in detail.get("cfdas") or [] if c.get("cfdaNumber")],
    }


class FakeGrantsGov(FakeServer):
    def __init__(self):
        self.hits: list[dict] = []
        self.details: dict[str, str | dict] = {}
        self.answers: dict[str, dict] = {}
        self.fail: dict[str, int] = {}
        self.fail_search_from: int | None = None
        self.hang: set[str] = set()
        self.truncate: set[str] = set()
        self.files: dict[str, bytes] = {}  # GET path -> bytes (the XML extract)
        self.requests: list[tuple[str, dict]] = []
        self._release = threading.Event()
        self._search_envelope = recorded("search2_hits_live_spelling.json")["body"]
        self._not_found = recorded("fetch_not_found.json")
        fake = self

        class Handler(FakeHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict, *, endpoint: str = ""):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if endpoint in fake.truncate:
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                    return
                self.wfile.write(data)

            def do_GET(self):
                if self.path in fake.files:  # the daily extract, as its file server gives it
                    data = fake.files[self.path]
                    self.send_response(200)
                    self.send_header("Content-Type", "application/zip")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self._send(403, MISSING_TOKEN)

            def do_POST(self):
                endpoint = self.path.rstrip("/").rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self._send(502, GATEWAY_ERROR)
                fake.requests.append((endpoint, body))
                if endpoint in fake.hang:
                    fake._release.wait(30)
                    return
                if endpoint in fake.fail:
                    return self._send(fake.fail[endpoint], GATEWAY_ERROR)
                if endpoint == "search2":
                    return self._search(body)
                if endpoint == "fetchOpportunity":
                    return self._fetch(body)
                self._send(403, MISSING_TOKEN)

            def _search(self, body):
                start = int(body.get("startRecordNum") or 0)
                rows = int(body.get("rows") or 25)
                if fake.fail_search_from is not None and start >= fake.fail_search_from:
                    return self._send(500, GATEWAY_ERROR)
                statuses = (body.get("oppStatuses") or "forecasted|posted").split("|")
                keyword = (body.get("keyword") or "").lower()
                matching = [
                    h
                    for h in fake.hits
                    if h.get("oppStatus", "posted") in statuses and (not keyword or keyword in h["title"].lower())
                ]
                envelope = copy.deepcopy(fake._search_envelope)
                envelope["data"] |= {
                    "searchParams": body,
                    "hitCount": len(matching),
                    "startRecord": start,
                    "oppHits": matching[start : start + rows],
                }
                self._send(200, envelope, endpoint="search2")

            def _fetch(self, body):
                opp_id = str(body.get("opportunityId"))
                answer = fake.answers.get(opp_id)
                if answer is None:
                    detail = fake.details.get(opp_id)
                    if detail is None:
                        answer = fake._not_found
                    elif isinstance(detail, str):
                        answer = recorded(detail)
                    else:
                        answer = {"status": 200, "body": {**fake._not_found["body"], "data": detail}}
                self._send(answer["status"], answer["body"], endpoint="fetchOpportunity")

        super().__init__(Handler)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1/api"

    def stop(self) -> None:
        self._release.set()  # a request held back for a test is let go first
        super().stop()

    def serve(self, *names: str) -> None:
        """List and serve these recorded details, each with the search row Grants.gov gives it."""
        for name in names:
            detail = recorded_detail(name)
            self.hits.append(hit_for(detail))
            self.details[str(detail["id"])] = name

    def calls(self, endpoint: str) -> list[dict]:
        return [body for name, body in self.requests if name == endpoint]
