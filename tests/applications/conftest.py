"""Fixtures for applications: inline tasks and a fake LLM server (the profile and grant are shared: tests/conftest.py)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from applications import llm

RECORDINGS = Path(__file__).parent / "llm_recordings"


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Tasks run when their transaction commits (wrap the request in django_capture_on_commit_callbacks)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class FakeLLM:
    """An OpenAI-compatible chat endpoint on 127.0.0.1 that records what it is asked."""

    server: HTTPServer
    requests: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def record(self, request: Request) -> dict:
        body = json.loads(request.get_data())
        with self.lock:
            self.requests.append(body)
            self.headers.append(dict(request.headers))
        return body

    @staticmethod
    def completion(text: str, *, model: str = "test-model", prompt_tokens: int = 100, completion_tokens: int = 50):
        return Response(
            json.dumps(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1,
                    "model": model,
                    "choices": [
                        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
                    ],
                    "usage": {
                        "prompt_tokens": prompt_tokens,
                        "completion_tokens": completion_tokens,
                        "total_tokens": prompt_tokens + completion_tokens,
                    },
                }
            ),
            content_type="application/json",
        )

    @staticmethod
    def recording(name: str) -> dict:
        """A recorded provider response (``llm_recordings/<name>.json``): its status and body."""
        return json.loads((RECORDINGS / f"{name}.json").read_text())

    @classmethod
    def play(cls, name: str) -> Response:
        """The recorded response, as the provider sent it."""
        recorded = cls.recording(name)
        return Response(
            json.dumps(recorded["body"], ensure_ascii=False), status=recorded["status"], content_type="application/json"
        )

    def answer_with(self, handler) -> None:
        """``handler(body) -> Response`` answers every chat completion request."""

        def respond(request: Request) -> Response:
            return handler(self.record(request))

        self.server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(respond)


@pytest.fixture(scope="session")
def _llm_server():
    # Threaded, so concurrent section requests are really served at the same time.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(settings, _llm_server):
    _llm_server.clear()
    fake = FakeLLM(server=_llm_server)
    settings.LLM_BASE_URL = fake.base_url
    settings.LLM_API_KEY = "test-key"
    settings.LLM_MODEL = "test-model"
    settings.LLM_TIMEOUT_SECONDS = 5
    settings.LLM_MAX_RETRIES = 0
    # What servers said about max_tokens is remembered per process: each test starts without it.
    llm.forget_limit_parameters()
    yield fake
    _llm_server.clear()
    llm.forget_limit_parameters()
