"""``read_bulk_file``: the JSON Lines file ``ledgerport bulk`` reads, checked by the same rules as the API's
``batch_items`` and cut into batches of at most 100 items."""

from __future__ import annotations

import json
from typing import Any

from ledgerport.writes.bulk import MAX_BYTES, MAX_ITEMS, read_bulk_file


def lines(*values: Any) -> list[bytes]:
    return [value if isinstance(value, bytes) else json.dumps(value).encode() for value in values]


def test_entries_and_bare_payloads_keep_file_order_and_line_numbers() -> None:
    read = read_bulk_file(
        lines({"item_id": "a", "payload": {"memo": "1"}}, b"", {"memo": "3"}, {"item_id": 7, "payload": {}}),
        "Invoice",
    )
    assert read.problems == []
    (batch,) = read.batches
    assert batch.entries == [("a", {"memo": "1"}), ("3", {"memo": "3"}), ("7", {})]


def test_every_bad_line_is_named_and_no_batch_is_made() -> None:
    read = read_bulk_file(
        lines(
            {"memo": "fine"},
            b"{oops",
            b"[1, 2]",
            {"item_id": "x"},
            {"payload": {}},
            {"item_id": "1", "payload": {}},
            {"item_id": "y" * 256, "payload": {}},
        ),
        "Invoice",
    )
    assert read.batches == []
    assert [problem.split(" ")[:2] for problem in read.problems[:2]] == [["line", "2"], ["line", "3"]]
    assert "line 2 is not valid JSON" in read.problems[0]
    assert read.problems[1] == "line 3 is not a JSON object."
    assert read.problems[2] == "line 4 (item_id 'x') has no payload object."
    assert read.problems[3] == "line 5 has no item_id (a string unique within the file)."
    assert read.problems[4] == "The item_id '1' of line 6 appears more than once in the file; each must be unique."
    assert read.problems[5] == "The item_id of line 7 is longer than 255 characters."


def test_an_empty_file_is_refused() -> None:
    assert read_bulk_file([b"", b"  "], "Invoice").problems == ["The file holds no items (one JSON object a line)."]


def test_more_than_100_items_make_consecutive_batches_of_100() -> None:
    read = read_bulk_file(lines(*({"n": n} for n in range(2 * MAX_ITEMS + 50))), "Invoice")
    assert [len(batch.entries) for batch in read.batches] == [100, 100, 50]
    assert read.batches[1].entries[0] == ("101", {"n": 100})
    assert len({batch.digest for batch in read.batches}) == 3


def test_a_batch_over_5_mb_is_refused_naming_its_lines() -> None:
    big = "x" * (MAX_BYTES // 2)
    read = read_bulk_file(lines({"memo": "small"}, {"memo": big}, {"memo": big}), "Invoice")
    assert read.batches == []
    (problem,) = read.problems
    assert problem.startswith("The request of lines 1-3 is ")
    assert problem.endswith(f"a bulk request takes at most {MAX_BYTES} (5 MB).")
