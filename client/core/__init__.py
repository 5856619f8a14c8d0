"""Domain values shared by every layer, and the worker-process helper (helper_process) that both
the auditor and the window use. Nothing here imports another package of ours; nothing but
helper_process does I/O."""
