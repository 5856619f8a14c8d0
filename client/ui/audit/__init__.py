"""The audit of a turn's reasoning in the window: the steps view, the user's verdicts, the
critic dialog, the background audit task, the report export and the controller that wires them.
"""
