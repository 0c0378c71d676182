"""A fake data.ca.gov CKAN datastore on 127.0.0.1 playing back the recorded portal dump.

``datastore_search`` pages through the real records of tests/grants/ca_portal/ (see its README for
the envelope's source); ``fail_from_offset`` answers the recorded CKAN "Not Found Error" (404,
``success: false``) from that offset on, ``ok_but_failed`` answers HTTP 200 carrying
``success: false`` (CKAN's validation errors come back that way), ``cut_body`` sends a partial body.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.fake_server import FakeHandler, FakeServer

DUMP = Path(__file__).parent / "ca_portal" / "111c8c88-21f6-453c-ae2c-b4785a0624f5.json"
RESOURCE_ID = "111c8c88-21f6-453c-ae2c-b4785a0624f5"


def dump_rows() -> tuple[list[dict], list[dict]]:
    data = json.loads(DUMP.read_text(encoding="utf-8"))
    names = [field["id"] for field in data["fields"]]
    return data["fields"], [dict(zip(names, values, strict=True)) for values in data["records"]]


class FakeCkan(FakeServer):
    def __init__(self):
        self.fields, self.rows = dump_rows()
        self.requests: list[dict] = []
        self.fail_from_offset: int | None = None
        self.ok_but_failed = False
        self.cut_body = False
        fake = self

        class Handler(FakeHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if fake.cut_body else data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append(query)
                help_url = "https://data.ca.gov/api/3/action/help_show?name=datastore_search"
                if not url.path.endswith("/datastore_search") or query.get("resource_id") != RESOURCE_ID:
                    return self._send(404, fake.not_found(help_url, query.get("resource_id", "")))
                offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
                if fake.fail_from_offset is not None and offset >= fake.fail_from_offset:
                    return self._send(404, fake.not_found(help_url, RESOURCE_ID))
                if fake.ok_but_failed:
                    return self._send(
                        200,
                        {
                            "help": help_url,
                            "success": False,
                            "error": {"__type": "Validation Error", "limit": ["Invalid integer"]},
                        },
                    )
                page = fake.rows[offset : offset + limit]
                start = f"/api/3/action/datastore_search?limit={limit}&resource_id={RESOURCE_ID}"
                self._send(200, {
                    "help": help_url,
                    "success": True,
                    "result": {
                        "include_total": True,
                        "limit": limit,
                        "records_format": "objects",
                        "resource_id": RESOURCE_ID,
                        "total_estimation_threshold": None,
                        "records": page,
                        "fields": fake.fields,
                        "_links": {"start": start, "next": f"{start}&offset={offset + limit}"},
                        "total": len(fake.rows),
                        "total_was_estimated": False,
                    },
                })  # fmt: skip

        super().__init__(Handler)

    @staticmethod
    def not_found(help_url: str, resource_id: str) -> dict:
        return {
            "help": help_url,
            "error": {"__type": "Not Found Error", "message": f'Not found: Resource "{resource_id}" was not found.'},
            "success": False,
        }

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/3/action"
