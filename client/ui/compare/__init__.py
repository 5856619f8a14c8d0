"""The compare room: "Compare…" from the composer, the comparison view, and prompt sets.

`setup_dialog` chooses the prompts (the composer's, or a set picked with `prompt_picker` from the
history or pasted), the columns (efforts of the current model, other models) and samples, and
shows the estimate before anything is sent; `view` shows one column per setting streaming side
by side; `controller` sends a comparison through the ledger's budget gate and the runner's turn
controller, off the GUI thread, opens a run in the inspector, continues the conversation from a
column, and reopens the view when a conversation holding a comparison is opened;
`set_controller` runs a prompt set prompt by prompt into `set_view`, its summary, verdict and
exports, with `set_chart` drawing cost against agreement.
"""
