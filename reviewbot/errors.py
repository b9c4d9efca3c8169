"""Expected failures: each carries one line for the user and the exit code `main` returns.

    ReviewbotError                  base class; never raised itself
     ├── UsageError        exit 2   bad command line, bad config file, missing API key
     ├── InputError        exit 2   input that is not a diff, a file that cannot be read
     ├── ModelError        exit 3   the model could not be reached or answered nothing usable
     │    └── ModelAuthError        the key was refused (401/403): stop at once, no retries
     ├── BudgetError       exit 3   a run limit (tokens, cost) stopped the review before any chunk
     └── GitHubError       exit 4   the GitHub API refused a request (permissions, not found, ...)

Exit code 5 (EXIT_PARTIAL) has no exception: it is a run that finished with some chunks failed.
Anything else that escapes `main` is a bug: its traceback is printed (scrubbed of secrets) and
the exit code is 70, so a crash is never mistaken for "findings" (1).
Transient failures (429, 5xx, timeouts) are retried inside the model and GitHub modules;
only their final outcome becomes one of these errors.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_GITHUB = 4
EXIT_PARTIAL = 5
EXIT_BUG = 70  # EX_SOFTWARE: anything else that escapes main is a bug in reviewbot


class ReviewbotError(Exception):
    """An expected failure: `str(err)` is the one line the user sees."""

    exit_code = EXIT_USAGE


class UsageError(ReviewbotError):
    exit_code = EXIT_USAGE


class InputError(ReviewbotError):
    exit_code = EXIT_USAGE


class ModelError(ReviewbotError):
    exit_code = EXIT_MODEL


class ModelAuthError(ModelError):
    pass


class BudgetError(ReviewbotError):
    exit_code = EXIT_MODEL


class GitHubError(ReviewbotError):
    exit_code = EXIT_GITHUB
