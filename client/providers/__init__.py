"""The providers layer: one adapter per API, turning each wire format into StreamEvents."""
