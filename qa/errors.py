"""The one error type every front end turns into a clear one-line message."""


class QAError(Exception):
    """A problem the user can act on; its message is one line, shown as it is (exit status 2)."""
