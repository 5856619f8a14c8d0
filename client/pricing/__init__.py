"""pricing layer (see ARCHITECTURE.md)."""
