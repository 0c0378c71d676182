"""A fake Grants.gov on 127.0.0.1: ``search2`` and ``fetchOpportunity`` in the documented shapes.

A real HTTP server in a thread, so the adapter's requests, JSON and timeouts are exercised for
real. ``hits`` answer search2 (paged by startRecordNum/rows), ``details`` answer fetchOpportunity
by id; ``fail`` maps an endpoint to an HTTP status, ``hang`` holds an endpoint's answers until
the server stops (the client's timeout fires first).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> dict:
    """A recorded answer from tests/grants/recorded/: ``{"source", "note", "status", "body"}``."""
    return json.loads((RECORDED / name).read_text())


def recorded_detail(name: str) -> dict:
    """The ``data`` of a recorded fetchOpportunity answer."""
    return recorded(name)["body"]["data"]


def recorded_hits(name: str = "search2_hits_live_spelling.json") -> list[dict]:
    return recorded(name)["body"]["data"]["oppHits"]


class FakeGrantsGov:
    def __init__(self):
        self.hits: list[dict] = []
        self.details: dict[str, dict] = {}
        self.fail: dict[str, int] = {}
        self.fail_search_from: int | None = None  # startRecordNum at which search2 starts failing
        self.hang: set[str] = set()
        self.requests: list[tuple[str, dict]] = []
        self._release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._send(403, {"message": "Missing Authentication Token"})

            def do_POST(self):
                endpoint = self.path.rstrip("/").rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self._send(502, {"message": "Internal server error"})
                fake.requests.append((endpoint, body))
                if endpoint in fake.hang:
                    fake._release.wait(30)
                    return
                if endpoint in fake.fail:
                    return self._send(fake.fail[endpoint], {"message": "Service Unavailable"})
                if endpoint == "search2":
                    return self._search(body)
                if endpoint == "fetchOpportunity":
                    return self._fetch(body)
                self._send(403, {"message": "Missing Authentication Token"})

            def _search(self, body):
                start = int(body.get("startRecordNum") or 0)
                rows = int(body.get("rows") or 25)
                if fake.fail_search_from is not None and start >= fake.fail_search_from:
                    return self._send(500, {"message": "Internal server error"})
                statuses = (body.get("oppStatuses") or "forecasted|posted").split("|")
                keyword = (body.get("keyword") or "").lower()
                matching = [
                    h
                    for h in fake.hits
                    if h.get("oppStatus", "posted") in statuses and (not keyword or keyword in h["title"].lower())
                ]
                page = matching[start : start + rows]
                self._send(
                    200,
                    {
                        "errorcode": 0,
                        "msg": "Webservice Succeeds",
                        "token": "fake-jwt",
                        "data": {
                            "searchParams": body,
                            "hitCount": len(matching),
                            "startRecord": start,
                            "oppHits": page,
                            "oppStatusOptions": [],
                            "dateRangeOptions": [],
                            "errorMsgs": [],
                        },
                    },
                )

            def _fetch(self, body):
                detail = fake.details.get(str(body.get("opportunityId")))
                if detail is None:
                    data = {"id": None, "errorMessages": ["There is no record found for your search."]}
                else:
                    data = detail
                self._send(200, {"errorcode": 0, "msg": "Webservice Succeeds", "token": "fake-jwt", "data": data})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1/api"

    def start(self) -> FakeGrantsGov:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def calls(self, endpoint: str) -> list[dict]:
        return [body for name, body in self.requests if name == endpoint]


def hit(opp_id: str, title: str, *, status: str = "posted", legacy_spelling: bool = False, **extra) -> dict:
    """A search2 hit; ``legacy_spelling`` uses the official sample's agencyName/alnist."""
    record = {
        "id": opp_id,
        "number": f"FAKE-{opp_id}",
        "title": title,
        "agencyCode": "HHS-HRSA",
        "openDate": "10/11/2026",
        "closeDate": "" if status == "forecasted" else "01/15/2027",
        "oppStatus": status,
        "docType": "forecast" if status == "forecasted" else "synopsis",
    }
    if legacy_spelling:
        record |= {"agencyName": "Health Resources and Services Administration", "alnist": ["93.223"]}
    else:
        record |= {"agency": "Health Resources and Services Administration", "cfdaList": ["93.223"]}
    return record | extra


def synopsis_detail(opp_id: str, title: str, **synopsis) -> dict:
    """A fetchOpportunity ``data`` for a posted opportunity, in the live shape."""
    block = {
        "agencyCode": "HHS-HRSA",
        "agencyName": "Health Resources and Services Administration",
        "agencyContactEmail": "grants@hrsa.example.gov",
        "synopsisDesc": "<p>Expands <b>rural health</b> clinics in Louisiana.</p><script>alert(1)</script>",
        "responseDate": "Jan 15, 2027 12:00:00 AM EST",
        "responseDateStr": "2027-01-15-00-00-00",
        "responseDateDesc": "",
        "postingDate": "Oct 11, 2026 12:00:00 AM EDT",
        "postingDateStr": "2026-10-11-00-00-00",
        "archiveDateStr": "2027-02-14-00-00-00",
        "costSharing": False,
        "numberOfAwards": "10",
        "estimatedFunding": "5000000",
        "awardCeiling": "500000",
        "awardFloor": "0",
        "applicantEligibilityDesc": "Rural nonprofits.",
        "applicantTypes": [{"id": "12", "description": "Nonprofits having a 501(c)(3) status"}],
        "fundingInstruments": [{"id": "G", "description": "Grant"}],
        "fundingActivityCategories": [{"id": "HL", "description": "Health"}],
        "lastUpdatedDate": "Oct 11, 2026 12:00:00 AM EDT",
    } | synopsis
    return {
        "id": int(opp_id),
        "revision": 0,
        "opportunityNumber": f"FAKE-{opp_id}",
        "opportunityTitle": title,
        "owningAgencyCode": "HHS-HRSA",
        "opportunityCategory": {"category": "D", "description": "Discretionary"},
        "synopsis": block,
        "forecast": None,
        "cfdas": [{"id": 1, "opportunityId": int(opp_id), "cfdaNumber": "93.223", "programTitle": "Rural Health"}],
        "opportunityHistoryDetails": [],
        "docType": "synopsis",
        "ost": "POSTED",
        "errorMessages": [],
    }


def forecast_detail(opp_id: str, title: str, **forecast) -> dict:
    """A fetchOpportunity ``data`` for a forecast: no close date yet, money as "none"."""
    block = {
        "agencyCode": "DOE-EERE",
        "agencyName": "Energy Efficiency and Renewable Energy",
        "forecastDesc": "Community solar for tribal nations.",
        "postingDateStr": "2026-11-01-00-00-00",
        "estSynopsisPostingDateStr": "2027-01-05-00-00-00",
        "estApplicationResponseDateStr": "",
        "estApplicationResponseDateDesc": "To be announced",
        "fiscalYear": 2027,
        "costSharing": True,
        "awardCeiling": "none",
        "awardFloor": "none",
        "estimatedFunding": "none",
        "numberOfAwards": "",
        "applicantTypes": [{"id": "07", "description": "Native American tribal governments"}],
        "fundingActivityCategories": [{"id": "EN", "description": "Energy"}],
    } | forecast
    return {
        "id": int(opp_id),
        "opportunityNumber": f"FAKE-{opp_id}",
        "opportunityTitle": title,
        "owningAgencyCode": "DOE-EERE",
        "synopsis": None,
        "forecast": block,
        "docType": "forecast",
        "ost": "FORECASTED",
        "errorMessages": [],
    }
