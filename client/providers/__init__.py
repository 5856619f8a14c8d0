"""providers layer (see ARCHITECTURE.md)."""
