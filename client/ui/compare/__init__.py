"""The compare room: "Compare…" from the composer, and the comparison view.

`setup_dialog` chooses the columns (efforts of the current model, other models) and samples and
shows the estimate and the budget check before anything is sent; `view` shows one column per
setting streaming side by side; `controller` runs the comparison (client.compare) off the GUI
thread, opens a run in the inspector, continues the conversation from a column, and reopens the
view when a conversation holding a comparison is opened.
"""
