"""SuiteQL: the Oracle-isms connectors use, paging with hasMore/totalResults, the 100,000-row cap, read-only."""

from __future__ import annotations

import pytest

from conftest import NS, SUITEQL


async def test_prefer_transient_is_required(ns: NS) -> None:
    response = await ns.client.post(SUITEQL, json={"q": "SELECT id FROM customer"}, headers=ns.headers)
    assert response.status_code == 400
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_HEADER"


async def test_paging_by_limit_and_offset(ns: NS) -> None:
    total = int((await ns.rows("SELECT COUNT(*) AS n FROM transaction WHERE type = 'CustInvc'"))[0]["n"])
    seen: list[str] = []
    offset = 0
    while True:
        page = (
            await ns.query("SELECT id FROM transaction WHERE type = 'CustInvc' ORDER BY id", limit=7, offset=offset)
        ).json()
        assert page["totalResults"] == total
        assert page["offset"] == offset
        seen += [row["id"] for row in page["items"]]
        if not page["hasMore"]:
            break
        offset += 7
    assert len(seen) == len(set(seen)) == total == 50
    assert [int(i) for i in seen] == sorted(int(i) for i in seen)


async def test_the_100k_row_cap(ns: NS) -> None:
    huge = "SELECT c.id FROM currencyrate c, accountingperiod p, term t"
    last = (await ns.query(huge, limit=1000, offset=99_000)).json()
    assert last["totalResults"] > 100_000
    assert last["count"] == 1000
    assert last["hasMore"] is False
    beyond = await ns.query(huge, limit=1000, offset=100_000)
    assert beyond.status_code == 400


async def test_only_select_runs(ns: NS) -> None:
    for statement in (
        "DELETE FROM transaction",
        "SELECT 1 FROM dual; DROP TABLE customer",
        "UPDATE customer SET email = 'x'",
    ):
        response = await ns.query(statement)
        assert response.status_code == 400, statement
    assert (await ns.rows("SELECT COUNT(*) AS n FROM customer"))[0]["n"] != "0"


async def test_oracle_functions_and_formats(ns: NS) -> None:
    row = (
        await ns.rows(
            "SELECT t.id, t.trandate, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS d,"
            " TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS modified, BUILTIN.DF(t.entity) AS customer,"
            " NVL(t.memo, 'none') AS memo, t.posting, BUILTIN.DF(t.type) AS kind"
            " FROM transaction t WHERE t.type = 'CustInvc' AND t.trandate >= TO_DATE('2025-01-01', 'YYYY-MM-DD')"
            " ORDER BY t.id FETCH FIRST 1 ROWS ONLY"
        )
    )[0]
    month, day, year = row["trandate"].split("/")
    assert row["d"] == f"{year}-{int(month):02d}-{int(day):02d}"
    assert len(row["modified"]) == 19
    assert row["modified"][10] == "T"
    assert row["customer"]
    assert not row["customer"].isdigit()
    assert row["posting"] == "T"
    assert row["kind"] == "Invoice"
    now = (await ns.rows("SELECT TO_CHAR(SYSDATE, 'YYYY-MM-DD\"T\"HH24:MI:SS') AS now FROM dual"))[0]["now"]
    assert now == "2026-12-05T10:00:00"  # 18:00 UTC in Los Angeles


async def test_nulls_are_left_out_and_values_are_strings(ns: NS) -> None:
    rows = await ns.rows(
        "SELECT id, memo, exchangerate, foreigntotal FROM transaction"
        " WHERE memo IS NULL AND type = 'VendBill' FETCH FIRST 3 ROWS ONLY"
    )
    assert rows
    assert all("memo" not in row for row in rows)
    assert all(isinstance(value, str) for row in rows for value in row.values() if value != [])
    rates = await ns.rows("SELECT exchangerate FROM currencyrate WHERE exchangerate < 1 FETCH FIRST 1 ROWS ONLY")
    assert rates[0]["exchangerate"].startswith(".")  # Oracle writes 0.78 as .78


async def test_joins_group_by_and_subqueries(ns: NS) -> None:
    rows = await ns.rows(
        "SELECT t.type, COUNT(*) AS n, SUM(tal.amount) AS net FROM transaction t"
        " JOIN transactionaccountingline tal ON tal.transaction = t.id"
        " WHERE t.posting = 'T' GROUP BY t.type ORDER BY t.type"
    )
    assert all(abs(float(row["net"])) < 1 for row in rows if row["type"] not in {"Journal"})
    inner = await ns.rows(
        "SELECT COUNT(*) AS n FROM transaction WHERE entity IN (SELECT id FROM customer WHERE subsidiary = 2)"
    )
    assert int(inner[0]["n"]) > 0
    left = await ns.rows(
        "SELECT c.id, a.city FROM customer c LEFT JOIN entityaddress a ON a.nkey = c.defaultbillingaddress"
        " ORDER BY c.id FETCH FIRST 2 ROWS ONLY"
    )
    assert all(row.get("city") for row in left)


@pytest.mark.parametrize(
    "table",
    [
        "transaction",
        "transactionline",
        "transactionaccountingline",
        "previoustransactionlinelink",
        "deletedrecord",
        "customer",
        "vendor",
        "entityaddress",
        "employee",
        "job",
        "account",
        "item",
        "salestaxitem",
        "taxgroup",
        "department",
        "classification",
        "location",
        "accountingperiod",
        "term",
        "subsidiary",
        "currency",
        "currencyrate",
        "customsegment",
        "customrecord_cseg_paactivitycode",
    ],
)
async def test_every_contract_table_has_rows(ns: NS, table: str) -> None:
    rows = await ns.rows(f"SELECT * FROM {table} FETCH FIRST 2 ROWS ONLY")
    assert rows, table


async def test_a_written_record_is_in_suiteql_at_once(ns: NS) -> None:
    created = await ns.create(
        "vendor", {"companyName": "Fresh Supplies", "subsidiary": {"id": "1"}, "email": "a@b.example"}
    )
    vendor = created.headers["location"].rsplit("/", 1)[1]
    row = (await ns.rows(f"SELECT entityid, email, subsidiary, currency FROM vendor WHERE id = {vendor}"))[0]
    assert row == {
        "links": [],
        "entityid": "Fresh Supplies",
        "email": "a@b.example",
        "subsidiary": "1",
        "currency": "1",
    }
