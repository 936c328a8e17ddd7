"""The ``accounting/v1`` endpoints."""

__all__: list[str] = []
