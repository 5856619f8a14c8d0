"""What turns cost, in the window: the spend view, the next-turn line and budget question,
the money settings and the controller that keeps them current.
"""
