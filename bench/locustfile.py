"""Locust users for bench/load_locust.py (bar line 35): signed-in grant seekers on the production stack.

Each simulated user is one of the benchmark's personas (``LOCUST_PERSONAS``, a JSON file written by
load_locust.py: user id, session key, a sample of their grant and application ids) and sends
bench/load.py's mix of reads and writes (``MIX``: lists, dashboard, details, another user's grant,
save, unsave, application pages and section edits). A response counts as a failure when its
status is not the one expected for its kind, and when a page that lists the user's rows carries a
row of anyone else (every grant title and draft starts with its owner's marker ``[u<id>]``). At the
end the final figures, with the tallies locust does not keep (5xx, pages checked, leaks), go to
``LOCUST_TALLIES``.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

from locust import FastHttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import CSRF_TOKEN, MARKER, MIX  # noqa: E402 - after the path is set

PERSONAS = json.loads(Path(os.environ["LOCUST_PERSONAS"]).read_text())
TALLIES: Counter = Counter()
_next_persona = iter(range(10**9))


class GrantSeeker(FastHttpUser):
    # Think time between a user's requests, "min,max" seconds (LOCUST_THINK; "0": none, so the
    # users saturate the server and the latency is the queue).
    _think = [float(value) for value in os.environ.get("LOCUST_THINK", "1,3").split(",")]
    wait_time = between(_think[0], _think[-1]) if max(_think) > 0 else staticmethod(lambda: 0)

    def on_start(self) -> None:
        index = next(_next_persona)
        self.me = PERSONAS[index % len(PERSONAS)]
        self.other = PERSONAS[(index + 1) % len(PERSONAS)]
        self.rng = random.Random(index)
        # Only the persona's own cookies, sent explicitly: nothing a response sets is carried along.
        self.client.client.cookiejar = None
        self.headers = {"Cookie": f"sessionid={self.me['session_key']}; csrftoken={CSRF_TOKEN}"}
        self.kinds, self.weights = list(MIX), list(MIX.values())

    def _send(self, kind: str, method: str, path: str, *, expected: int, check: bool, form: dict | None = None):
        headers = dict(self.headers)
        data = None
        if form is not None:
            data = {**form, "csrfmiddlewaretoken": CSRF_TOKEN}
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.request(
            method, path, name=kind, headers=headers, data=data, allow_redirects=False, catch_response=True
        ) as response:
            status = response.status_code
            TALLIES["responses"] += 1
            if status >= 500:
                TALLIES["5xx"] += 1
            if status != expected:
                response.failure(f"{status}, expected {expected}")
                return
            if check:
                owners = {int(found) for found in MARKER.findall(response.text or "")}
                TALLIES["pages checked"] += 1
                if owners - {self.me["user_id"]} or not owners:
                    TALLIES["leaks"] += 1
                    response.failure(f"rows of users {sorted(owners - {self.me['user_id']})} or none of the caller's")
                    return
            response.success()

    @task
    def one(self) -> None:
        me, rng = self.me, self.rng
        kind = rng.choices(self.kinds, self.weights)[0]
        grant = rng.choice(me["grant_ids"])
        application = rng.choice(me["application_ids"])
        if kind == "grants list":
            self._send(kind, "GET", f"/grants/?page={rng.randint(1, 20)}", expected=200, check=True)
        elif kind == "dashboard":
            # Not checked for markers: a user's dashboard may list none of their grants.
            self._send(kind, "GET", "/dashboard/", expected=200, check=False)
        elif kind == "grant detail":
            self._send(kind, "GET", f"/grants/{grant}/", expected=200, check=True)
        elif kind == "other user's grant":
            self._send(kind, "GET", f"/grants/{rng.choice(self.other['grant_ids'])}/", expected=404, check=False)
        elif kind == "save grant":
            self._send(kind, "POST", f"/grants/{grant}/save/", expected=302, check=False, form={})
        elif kind == "unsave grant":
            self._send(kind, "POST", f"/grants/{grant}/unsave/", expected=302, check=False, form={})
        elif kind == "application page":
            self._send(kind, "GET", f"/applications/{application}/", expected=200, check=True)
        else:
            key = rng.choice(me["section_keys"])
            text = f"Edited {key} for [u{me['user_id']}] at {time.time():.3f}."
            path = f"/applications/{application}/sections/{key}/"
            self._send(kind, "POST", path, expected=302, check=False, form={"text": text})


def _figures(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.total_rps,
        "max": entry.max_response_time,
        **{f"p{int(q * 100)}": entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)},
    }


@events.quitting.add_listener
def _write_tallies(environment, **kwargs) -> None:
    # At quitting every user has stopped: these are the final figures.
    stats = environment.stats
    Path(os.environ["LOCUST_TALLIES"]).write_text(
        json.dumps(
            {
                "tallies": dict(TALLIES),
                "total": _figures(stats.total),
                "kinds": {name: _figures(entry) for (name, _method), entry in sorted(stats.entries.items())},
                "errors": [[error.name, str(error.error), error.occurrences] for error in stats.errors.values()],
            }
        )
    )
