"""Fixtures for applications: inline tasks and a fake LLM server (the profile and grant are shared: tests/conftest.py)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from werkzeug import Response
from werkzeug.datastructures import Headers

from applications import llm
from tests.fake_server import FakeHandler, FakeServer

RECORDINGS = Path(__file__).parent / "llm_recordings"


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Tasks run when their transaction commits (wrap the request in django_capture_on_commit_callbacks)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class FakeLLM(FakeServer):
    """An OpenAI-compatible chat endpoint on 127.0.0.1 that records what it is asked.

    ``answer_with(handler)``: ``handler(body) -> werkzeug Response`` answers every chat completion
    request (recorded provider answers: ``play(name)``); with no handler, 500.
    """

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.headers: list[Headers] = []  # case-insensitive, as the server received them
        self.lock = threading.Lock()
        self._answer = None
        fake = self

        class Handler(FakeHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != "/v1/chat/completions" or fake._answer is None:
                    return self.send(500, "No handler found for this request", "text/plain")
                answer = fake._answer(fake.record(body, Headers(list(self.headers.items()))))
                self.send(
                    answer.status_code,
                    answer.get_data(),
                    answer.headers.get("Content-Type", "application/json"),
                    [(name, value) for name, value in answer.headers.items() if name.lower() not in _SENT_BY_SEND],
                )

        super().__init__(Handler)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def record(self, raw: bytes, headers: Headers) -> dict:
        body = json.loads(raw)
        with self.lock:
            self.requests.append(body)
            self.headers.append(headers)
        return body

    def clear(self) -> None:
        """No answer and nothing recorded: what each test starts from."""
        self._answer = None
        with self.lock:
            self.requests.clear()
            self.headers.clear()

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
        self._answer = handler


_SENT_BY_SEND = {"content-type", "content-length"}


@pytest.fixture(scope="session")
def _llm_server():
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(settings, _llm_server):
    _llm_server.clear()
    settings.LLM_BASE_URL = _llm_server.base_url
    settings.LLM_API_KEY = "test-key"
    settings.LLM_MODEL = "test-model"
    settings.LLM_TIMEOUT_SECONDS = 5
    settings.LLM_MAX_RETRIES = 0
    # What servers said about max_tokens is remembered per process: each test starts without it.
    llm.forget_limit_parameters()
    yield _llm_server
    _llm_server.clear()
    llm.forget_limit_parameters()
