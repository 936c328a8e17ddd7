"""``ledgerport dev seed``: fill one linked account with realistic, internally consistent accounting data.

The data is what a small multi-currency business would hold in its books over two years, so the API, syncs and
benchmarks can be exercised without a provider. Three properties matter more than realism:

* **Deterministic.** Everything but the store's own ids and timestamps follows from ``seed``. Each model draws from
  its own ``random.Random`` stream (named after the seed and the model), so asking for more transactions leaves
  the invoices and journal entries of the same seed unchanged.
* **Idempotent.** Remote ids are fixed per position (``inv-17``), so a second run with the same arguments upserts
  the same records: their digests match and ``modified_at`` stays put.
* **Fast.** Records go to :func:`ledgerport.store.records.upsert_many` in batches of :data:`BATCH_SIZE`, one
  transaction each, generated lazily so memory stays flat; references are ids precomputed into a
  :class:`~ledgerport.dev.ledger.Ledger`, never looked up per record.

Order of writing (a record is written after everything it points at)::

    CompanyInfo → AccountingPeriod, Account, TaxRate, TrackingCategory (parents first), PaymentTerm
      → Contact, Employee, Item → Project → PurchaseOrder, SalesOrder, CreditNote, VendorCredit
      → Invoice → Payment (one per sampled PAID invoice) → Expense → Transaction → JournalEntry
      → PaymentMethod, ExpenseReport, BankFeedAccount → BankFeedTransaction
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence

import msgspec

from ledgerport.dev import claims, documents, orders, reference
from ledgerport.dev import expenses as spending
from ledgerport.dev.catalog import ACCOUNTS, PAYMENT_TERMS, TAX_RATES, TRACKING_CATEGORIES
from ledgerport.dev.ledger import Ledger, Tax, Term
from ledgerport.models import MODELS, CategoryType, InvoiceStatus
from ledgerport.store.database import Database
from ledgerport.store.records import NewRecord, upsert_many

__all__ = ["BATCH_SIZE", "Progress", "SeedSummary", "seed_account"]

BATCH_SIZE = 1_000
"""Records per write transaction: large enough to amortize a commit, small enough to keep SQLite's lock short."""

Progress = Callable[[str, int], None]
"""``progress(model_name, written_so_far)``, called after every batch (the CLI draws a progress bar from it)."""


class SeedSummary(msgspec.Struct, frozen=True):
    """How many records of each model were upserted (new or unchanged), keyed by model name in write order."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        """All records upserted, every model together."""
        return sum(self.counts.values())


class _Writer:
    """Writes one model's records in batches, one transaction each, counting and reporting progress."""

    def __init__(self, database: Database, linked_account_id: uuid.UUID, progress: Progress | None) -> None:
        self._database = database
        self._account = linked_account_id
        self._progress = progress
        self.counts: dict[str, int] = {}

    async def _batch(self, model_name: str, batch: Sequence[NewRecord]) -> list[uuid.UUID]:
        spec = MODELS[model_name]
        async with self._database.write() as session:
            ids = await upsert_many(
                session, linked_account_id=self._account, model_name=model_name, key_fields=spec.key_fields, items=batch
            )
        self.counts[model_name] = self.counts.get(model_name, 0) + len(batch)
        if self._progress is not None:
            self._progress(model_name, self.counts[model_name])
        return ids

    async def write(self, model_name: str, records: Iterable[NewRecord]) -> list[str]:
        """Write reference records; returns their ids as ``Ref`` strings, in the order given."""
        return [str(record_id) for _, record_id in await self.stream(model_name, records, keep=_everything)]

    async def stream(
        self, model_name: str, records: Iterable[NewRecord], *, keep: Callable[[NewRecord], bool], limit: int = -1
    ) -> list[tuple[NewRecord, uuid.UUID]]:
        """Write records as they are generated; returns (record, id) for at most ``limit`` of those ``keep`` picks."""
        self.counts.setdefault(model_name, 0)
        kept: list[tuple[NewRecord, uuid.UUID]] = []
        for batch in _batches(iter(records)):
            ids = await self._batch(model_name, batch)
            wanted = limit - len(kept) if limit >= 0 else len(batch)
            kept += itertools.islice(((r, i) for r, i in zip(batch, ids, strict=True) if keep(r)), wanted)
        return kept


def _everything(_record: NewRecord) -> bool:
    return True


def _nothing(_record: NewRecord) -> bool:
    return False


def _settled_invoice(record: NewRecord) -> bool:
    """A live PAID invoice, which a seeded payment can settle."""
    return not record.remote_was_deleted and getattr(record.model, "status", None) == InvoiceStatus.PAID


def _batches(records: Iterator[NewRecord]) -> Iterator[list[NewRecord]]:
    while batch := list(itertools.islice(records, BATCH_SIZE)):
        yield batch


def _stream(seed: int, name: str) -> random.Random:
    """The random stream of one model; string seeds are hashed with SHA-512, so this is stable across runs."""
    return random.Random(f"ledgerport-seed:{seed}:{name}")  # noqa: S311  (test data, not secrets)


def _scaled(base: int, invoices: int, per: int, cap: int) -> int:
    """``base`` plus one per ``per`` invoices, at most ``cap``: reference data grows gently with the documents."""
    return min(cap, base + invoices // per)


async def _seed_reference(writer: _Writer, seed: int, invoices: int) -> Ledger:
    """Write the company and everything documents point at; return their ids as a :class:`Ledger`."""
    rng = _stream(seed, "reference")
    ledger = Ledger(realm=str(rng.randrange(10**15, 10**16)))
    (ledger.company,) = await writer.write("CompanyInfo", [reference.company_info(rng, ledger)])
    ledger.periods = await writer.write("AccountingPeriod", reference.accounting_periods(ledger))
    ids = await writer.write("Account", reference.accounts(rng, ledger))
    ledger.accounts = {row.number: account_id for row, account_id in zip(ACCOUNTS, ids, strict=True)}
    ids = await writer.write("TaxRate", reference.tax_rates(ledger))
    ledger.taxes = {row.code: Tax(tax_id, row.total) for row, tax_id in zip(TAX_RATES, ids, strict=True)}
    await _seed_tracking(writer, ledger)
    ids = await writer.write("PaymentTerm", reference.payment_terms(ledger))
    ledger.terms = [Term(term_id, days) for (_, days, _), term_id in zip(PAYMENT_TERMS, ids, strict=True)]
    await _seed_parties(writer, rng, ledger, invoices)
    ids = await writer.write("Item", reference.items(ledger))
    ledger.sold, ledger.bought = reference.goods(ledger, ids)
    ledger.projects = await writer.write("Project", reference.projects(rng, ledger, _scaled(8, invoices, 5_000, 40)))
    return ledger


async def _seed_tracking(writer: _Writer, ledger: Ledger) -> None:
    """Tracking categories, parents before children so ``parent_category`` can name them."""
    roots = [row for row in TRACKING_CATEGORIES if row.parent is None]
    children = [row for row in TRACKING_CATEGORIES if row.parent is not None]
    root_ids = await writer.write("TrackingCategory", reference.tracking_categories(ledger, roots, {}))
    parents = {row.name: root_id for row, root_id in zip(roots, root_ids, strict=True)}
    child_ids = await writer.write("TrackingCategory", reference.tracking_categories(ledger, children, parents))
    # Documents are tagged with a leaf class (a business line) and a department, as bookkeepers tag them.
    classes = zip(children, child_ids, strict=True)
    departments = zip(roots, root_ids, strict=True)
    ledger.classes = [i for row, i in classes if row.category_type == CategoryType.CLASS]
    ledger.departments = [i for row, i in departments if row.category_type == CategoryType.DEPARTMENT]


async def _seed_parties(writer: _Writer, rng: random.Random, ledger: Ledger, invoices: int) -> None:
    """Customers, suppliers and employees."""
    customers = _scaled(30, invoices, 1_000, 300)
    records, parties = reference.contacts(rng, ledger, customers=customers, suppliers=_scaled(15, invoices, 2_000, 150))
    ids = await writer.write("Contact", records)
    written = [msgspec.structs.replace(party, id=contact_id) for party, contact_id in zip(parties, ids, strict=True)]
    ledger.customers, ledger.suppliers = written[:customers], written[customers:]
    staff = _scaled(12, invoices, 20_000, 30)
    ledger.employees = await writer.write("Employee", reference.employees(rng, ledger, staff))


async def _seed_orders(writer: _Writer, seed: int, ledger: Ledger, invoices: int) -> None:
    """Purchase and sales orders (which invoices link to), credit notes and vendor credits."""
    rng = _stream(seed, "orders")
    count = _scaled(10, invoices, 2_000, 50)
    ledger.purchase_orders = await writer.write("PurchaseOrder", orders.purchase_orders(rng, ledger, count))
    ledger.sales_orders = await writer.write("SalesOrder", orders.sales_orders(rng, ledger, count))
    credits = _scaled(8, invoices, 2_000, 40)
    await writer.write("CreditNote", orders.credit_notes(rng, ledger, credits))
    await writer.write("VendorCredit", orders.vendor_credits(rng, ledger, credits))


async def _seed_claims(writer: _Writer, seed: int, ledger: Ledger, invoices: int) -> None:
    """Payment methods, staff expense reports, and one bank feed with the transactions pushed into it."""
    await writer.write("PaymentMethod", claims.payment_methods(ledger))
    reports = _scaled(5, invoices, 1_000, 40)
    await writer.write("ExpenseReport", claims.expense_reports(_stream(seed, "ExpenseReport"), ledger, reports))
    (feed,) = await writer.write("BankFeedAccount", claims.bank_feed_accounts(ledger))
    pushed = claims.bank_feed_transactions(_stream(seed, "BankFeedTransaction"), feed, _scaled(10, invoices, 100, 60))
    await writer.write("BankFeedTransaction", pushed)


async def seed_account(
    database: Database,
    *,
    linked_account_id: uuid.UUID,
    invoices: int = 200,
    expenses: int = 100,
    transactions: int = 100,
    journal_entries: int = 100,
    seed: int = 0,
    progress: Progress | None = None,
) -> SeedSummary:
    """Write a consistent set of accounting records for one linked account, deterministically from ``seed``.

    The linked account must exist. Running again with the same arguments rewrites nothing (same remote ids, same
    documents); a different ``seed`` writes different values under the same remote ids, replacing them.
    """
    writer = _Writer(database, linked_account_id, progress)
    ledger = await _seed_reference(writer, seed, invoices)
    await _seed_orders(writer, seed, ledger, invoices)
    paid = await writer.stream(
        "Invoice",
        documents.invoices(_stream(seed, "Invoice"), ledger, invoices),
        keep=_settled_invoice,
        limit=_scaled(10, invoices, 500, 50),
    )
    settled = [(str(invoice_id), record) for record, invoice_id in paid]
    await writer.write("Payment", orders.payments(_stream(seed, "Payment"), ledger, settled))
    await writer.stream("Expense", spending.expenses(_stream(seed, "Expense"), ledger, expenses), keep=_nothing)
    await writer.stream(
        "Transaction", documents.transactions(_stream(seed, "Transaction"), ledger, transactions), keep=_nothing
    )
    await writer.stream(
        "JournalEntry", documents.journal_entries(_stream(seed, "JournalEntry"), ledger, journal_entries), keep=_nothing
    )
    await _seed_claims(writer, seed, ledger, invoices)
    return SeedSummary(counts=dict(writer.counts))
