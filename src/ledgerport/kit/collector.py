"""Garbage-collector settings for ledgerport's processes.

A sync decodes pages of thousands of provider objects and maps each to common-model Structs: millions of
short-lived containers, none of them in reference cycles. CPython's default young-generation threshold (700
allocations) then runs a collection every few hundred objects, each one also walking the page still being
mapped, and ``bench/sync.py`` measured a quarter of a full sync's CPU in the collector. Raising the thresholds
keeps cycle collection (the heap still gets collected, in larger steps) and costs at most a few megabytes of
not-yet-collected garbage.
"""

from __future__ import annotations

import gc

__all__ = ["THRESHOLDS", "tune_collector"]

THRESHOLDS = (50_000, 20, 100)
"""Young-generation allocations, then collections of the generation below, before each generation is collected."""


def tune_collector() -> None:
    """Apply :data:`THRESHOLDS` to this process; every ledgerport command does so at start."""
    gc.set_threshold(*THRESHOLDS)
