"""Pricing: usage → cost from the provider's charge, the user's prices, or the genai-prices data.

Uses `client.core` and genai-prices only.
"""

from client.core.prices import PriceOverride
from client.pricing.cost import (
    GENAI_PROVIDER_IDS,
    LOCAL_PROVIDERS,
    cost_for,
    rates_for,
)
from client.pricing.local import is_local_url
from client.pricing.refresh import (
    RefreshResult,
    data_info,
    data_version,
    refresh_prices,
    use_saved_prices,
)

__all__ = [
    "GENAI_PROVIDER_IDS",
    "LOCAL_PROVIDERS",
    "PriceOverride",
    "RefreshResult",
    "cost_for",
    "data_info",
    "data_version",
    "is_local_url",
    "rates_for",
    "refresh_prices",
    "use_saved_prices",
]
