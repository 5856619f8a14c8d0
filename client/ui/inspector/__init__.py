"""The reasoning inspector beside the conversation, and the find bar it shares with the
conversation view.
"""
