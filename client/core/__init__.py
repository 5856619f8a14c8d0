"""Domain values shared by every layer. Nothing here does I/O or imports another package of ours."""
