"""audit layer (see ARCHITECTURE.md)."""
