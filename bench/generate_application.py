"""Benchmark: wall time of writing a six-section application against a slow fake LLM.

A fake OpenAI-compatible server on 127.0.0.1 answers every chat completion after ``--delay``
seconds (default 1 s). On a scratch database (``bench_gf_apps``, created without migrations like
the tests' and dropped at the end) it creates a user with a profile, a document and a grant, then
for each of ``--runs`` applications:

- asks for it (``application_request``, the task row goes into the database queue), and
- times the worker's job, ``application_generate`` (retrieval, six concurrent requests, saving),

once cold (the first in the process pays for building the LLM client), then warm with the
configured concurrency (six sections at once), then with one section at a time for contrast, then
with the offline template writer. Finally one application goes through the real
``manage.py db_worker --batch`` command. Prints min / median / max wall seconds.

Usage::

    .venv/bin/python bench/generate_application.py [--runs 5] [--delay 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class SlowLLM(BaseHTTPRequestHandler):
    delay = 1.0
    calls = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        json.loads(self.rfile.read(length))
        with SlowLLM.lock:
            SlowLLM.calls += 1
        time.sleep(self.delay)  # the simulated model latency
        body = json.dumps(
            {
                "id": "c1",
                "object": "chat.completion",
                "created": 1,
                "model": "bench-model",
                "choices": [
                    {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "x " * 200}}
                ],
                "usage": {"prompt_tokens": 800, "completion_tokens": 400, "total_tokens": 1200},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def summary(times: list[float]) -> str:
    return f"min {min(times):.3f} s  median {statistics.median(times):.3f} s  max {max(times):.3f} s  (n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay", type=float, default=1.0)
    options = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["GF_TEST_DB"] = "bench_gf_apps"
    import django

    django.setup()
    from django.conf import settings

    class DisableMigrations(dict):
        def __contains__(self, item):
            return True

        def __getitem__(self, item):
            return None

    settings.MIGRATION_MODULES = DisableMigrations()
    settings.MEDIA_ROOT = ROOT / "var" / "bench_media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LOGGING_CONFIG = None
    import logging

    logging.disable(logging.WARNING)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test.utils import setup_databases, teardown_databases

    SlowLLM.delay = options.delay
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowLLM)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"fake LLM: every call answers after {options.delay:g} s")
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from applications import services
        from applications.models import GeneratedApplication
        from profiles.services import document_upload, profile_save
        from tests.factories import GrantFactory, UserFactory

        user = UserFactory(email="bench@example.com", applications_limit=10_000)
        profile_save(
            user=user,
            data={
                "business_name": "Bayou Connect",
                "organization_type": "nonprofit",
                "mission_statement": "Affordable internet and digital skills for rural Louisiana.",
                "service_description": "Community Wi-Fi, digital literacy classes and device lending.",
                "geographic_focus": "Louisiana",
                "target_sectors": ["Broadband", "Education"],
                "years_in_operation": 6,
                "team_size": 12,
                "narrative_text": "Since 2019 we have connected 1,200 rural homes. " * 20,
            },
        )
        report = "\n\n".join(
            f"Paragraph {n}: our broadband programme trained {n * 10} residents in digital skills." for n in range(200)
        )
        document_upload(user=user, uploaded_file=SimpleUploadedFile("report.txt", report.encode()))
        grant = GrantFactory(
            user=user,
            title="Rural Broadband Expansion Grant",
            description="Funds broadband internet and digital skills for rural households.",
            funder_name="USDA Rural Utilities Service",
            funding_max=250000.0,
        )

        def timed_runs(label: str, runs: int) -> list[float]:
            times = []
            for _ in range(runs):
                application = services.application_request(user=user, grant=grant)
                started = time.perf_counter()
                services.application_generate(application_id=application.pk)
                times.append(time.perf_counter() - started)
                application.refresh_from_db()
                assert application.generation_state == "succeeded", application.generation_error
                assert len(application.sections) == 6
            print(f"{label:<46} {summary(times)}")
            return times

        settings.LLM_BASE_URL = f"http://127.0.0.1:{server.server_port}/v1"
        settings.LLM_API_KEY = "bench-key"
        settings.LLM_MODEL = "bench-model"
        settings.LLM_MAX_RETRIES = 0
        SlowLLM.calls = 0
        # The first generation in a process also builds the LLM client (TLS context, connection
        # pool) and openai's response types: a once-per-worker cost, reported on its own.
        timed_runs("first generation in this process (cold)", 1)
        concurrent = timed_runs(f"six sections, concurrency {settings.LLM_CONCURRENCY} (warm)", options.runs)
        print(f"{'':<46} fake LLM calls: {SlowLLM.calls} ({6 * (options.runs + 1)} expected)")
        settings.LLM_CONCURRENCY = 1
        timed_runs("six sections, one at a time (for contrast)", 1)
        settings.LLM_CONCURRENCY = 6

        # The whole background path: the queued task row picked up by the real worker command.
        application = services.application_request(user=user, grant=grant)
        started = time.perf_counter()
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        worker = time.perf_counter() - started
        assert GeneratedApplication.objects.get(pk=application.pk).generation_state == "succeeded"
        print(f"{'manage.py db_worker --batch (one application)':<46} {worker:.3f} s")

        settings.LLM_BASE_URL = ""
        timed_runs("offline template writer", options.runs)
        verdict = "under" if max(concurrent) < 2.0 else "NOT under"
        print(f"result: six concurrent sections (warm) took at most {max(concurrent):.3f} s, {verdict} 2 s")
        print(f"load average during the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        teardown_databases(old_config, verbosity=0)
        server.shutdown()
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
