"""The first-run checklist's steps, registered by the apps that own them.

core sits at the bottom of the import graph, so it cannot ask the profile, search or
application apps whether a user has done their part; each registers its step from its
``AppConfig.ready``::

    from core.first_steps import first_steps
    first_steps.register(
        order=20, label="Run your first search", why="...", url_name="grants:search",
        done=lambda user: SearchRun.objects.filter(user=user).exists(),
    )

``{% first_run_checklist %}`` (core/templatetags/ui.py) shows them in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FirstStep:
    order: int
    label: str
    why: str
    url_name: str
    done: Callable[[object], bool]


class FirstSteps:
    def __init__(self) -> None:
        self._steps: dict[str, FirstStep] = {}

    def register(self, *, order: int, label: str, why: str, url_name: str, done: Callable[[object], bool]) -> None:
        # Keyed by the page it links to, so a second ready() (tests reload apps) replaces, not repeats.
        self._steps[url_name] = FirstStep(order=order, label=label, why=why, url_name=url_name, done=done)

    def __iter__(self):
        return iter(sorted(self._steps.values(), key=lambda step: step.order))


first_steps = FirstSteps()
