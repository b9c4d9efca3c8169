"""reviewbot: AI code review for pull requests and local diffs."""

__version__ = "0.1.0"
