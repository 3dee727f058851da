"""Errors that reach the user as one line and an exit code, never as a traceback."""


class DefsearchError(Exception):
    """A failure the user can act on; the message is one line."""

    exit_code = 1


class UsageError(DefsearchError):
    """Bad arguments or a query that cannot be parsed."""

    exit_code = 2


class QueryError(UsageError):
    """A query that cannot be searched (empty, too long, malformed)."""


class IndexUnusableError(DefsearchError):
    """The index cannot be opened or written; the message says how to repair it."""


class IndexMissingError(IndexUnusableError):
    """No index has been built yet."""


class IndexVersionError(IndexUnusableError):
    """The index was built with another schema version."""


class IndexBusyError(IndexUnusableError):
    """Another process holds the index's write lock."""


class DocumentNotFoundError(DefsearchError):
    """No document with that id in the index."""


class ServerBusyError(DefsearchError):
    """Every search slot of the server is taken; the client may try again."""


class SearchTimeoutError(QueryError):
    """A search ran past its time budget."""


class DocumentError(Exception):
    """An article file that cannot be read; the message is a one-line reason."""
