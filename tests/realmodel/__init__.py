"""Helpers of the end-to-end tests against a real llama.cpp server (`tests/test_realmodel.py`)."""
