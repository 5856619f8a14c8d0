"""The conversation in the centre column: the view, its turn cards, the window's live picture
of each turn, paced rendering, the answer browser and what a click on a link may do.
"""
