"""Reviewing GitHub pull requests: the API boundary, the Actions environment, the publisher."""
