"""The comparison's window fixture (a model on the replay server with a price), shared with
the compare tests, for the names walk and the Tab rounds of its dialogs."""

from tests.ui.compare.test_compare_view import compare_window  # noqa: F401 - a fixture
