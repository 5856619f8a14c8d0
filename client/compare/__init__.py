"""Comparisons: one prompt across efforts, models and samples, and prompt sets (no Qt).

"Is more thinking worth it?" can only be answered with the user's own questions. A comparison
runs one prompt in several columns (efforts of one model, other models, or both), several samples
each, every run a normal turn through the turn controller, stored as sibling turns under one
parent and grouped by a comparison id. `columns` reads the settings, `estimate` prices the whole
comparison as a range before anything is sent, `runner` runs it in parallel, `tally` says what
each column answered and which setting is the cheapest that gives the majority answer, and
`prompt_set` does the same over a file of prompts.
"""
