"""Faithful local emulators of the accounting providers' real APIs, for tests, the demo and benchmarks.

A sandbox imports nothing of ledgerport but ``sandboxes._kit``: a bug shared by a connector and its sandbox would
otherwise pass both.
"""

__all__: list[str] = []
