from __future__ import annotations

import pytest
from djstripe.models import Event
from djstripe.signals import WEBHOOK_SIGNALS

from billing import webhooks


@pytest.mark.parametrize("event_type", sorted(webhooks.RECEIVERS))
def test_our_receiver_runs_after_dj_stripes_sync(event_type):
    # Our receivers read what dj-stripe just re-fetched from Stripe, so they must come second.
    sync_receivers, _async = WEBHOOK_SIGNALS[event_type]._live_receivers(Event)
    ours = webhooks.RECEIVERS[event_type]
    assert ours in sync_receivers
    assert sync_receivers.index(ours) == len(sync_receivers) - 1
    assert any(receiver.__module__ == "djstripe.event_handlers" for receiver in sync_receivers[:-1])
