"""Domain exceptions: raised by the core, shown once by the UI layer."""

from __future__ import annotations


class DataError(ValueError):
    """The data cannot be used as given.

    The message is written for the person who supplied the data: what is wrong, where,
    and what to do about it.  It never contains a traceback and is shown as plain text.
    """
