"""Pricing: usage → cost from the provider's charge, the user's prices, or the genai-prices data.

Uses `client.core` and genai-prices only (see ARCHITECTURE.md, Money and tokens).
"""

from client.core.prices import PriceOverride
from client.pricing.cost import GENAI_PROVIDER_IDS, LOCAL_PROVIDERS, cost_for
from client.pricing.local import is_local_url

__all__ = ["GENAI_PROVIDER_IDS", "LOCAL_PROVIDERS", "PriceOverride", "cost_for", "is_local_url"]
