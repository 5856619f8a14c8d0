"""Shared test helpers: the loopback replay server and wire-accurate stream builders."""
