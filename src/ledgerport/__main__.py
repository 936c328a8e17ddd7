"""``python -m ledgerport`` runs the CLI."""

from ledgerport.cli import main

main()
