"""Developer tools: ``ledgerport dev seed`` fills a linked account with realistic accounting data."""

from ledgerport.dev.seed import BATCH_SIZE, Progress, SeedSummary, seed_account

__all__ = ["BATCH_SIZE", "Progress", "SeedSummary", "seed_account"]
