"""Billing's refusals: a step the result's state does not allow now."""

from __future__ import annotations

from trueup.core.errors import Refused


class BillingRefused(Refused):
    """A step that cannot be taken now, with the reason."""

    code = "billing_refused"
