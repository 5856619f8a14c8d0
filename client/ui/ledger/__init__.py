"""What turns cost, in the window: the spend view, the next-turn line and budget question,
the money settings, the Prices page (every rate, your own price, reprice) and the controller
that keeps them current.
"""
