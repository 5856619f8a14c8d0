"""Running turns from the window: the runner that streams them on workers, saving a turn the
store could not take yet, and the throttle that paces the window's updates.
"""
