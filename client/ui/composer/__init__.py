"""Where the user writes: the composer, the model picker, the reasoning controls and
the catalog of models they offer, and the banner when a turn could not start.
"""
