"""The sandbox's files: ``POST /upload`` (multipart, Intuit's ``file_metadata_NN`` / ``file_content_NN`` parts),
the Attachable it makes (server defaults: Size, ContentType, FileAccessUri, TempDownloadUri), the query, and the
download link answering the same bytes."""

from __future__ import annotations

import json

import httpx
from qbo_client import Connected

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF"


def _multipart(metadata: dict[str, object] | None, content: bytes | None, name: str = "receipt.pdf") -> dict:
    files: dict[str, tuple[str, bytes, str]] = {}
    if metadata is not None:
        files["file_metadata_01"] = ("attachment.json", json.dumps(metadata).encode(), "application/json")
    if content is not None:
        files["file_content_01"] = (name, content, "application/pdf")
    return files


async def _upload(qbo: Connected, files: dict, **params: str) -> httpx.Response:
    return await qbo.client.post(qbo.url("upload"), files=files, params=params, headers=qbo.headers)


async def test_upload_makes_an_attachable_with_server_defaults(qbo: Connected) -> None:
    invoice = (await qbo.query("SELECT * FROM Invoice MAXRESULTS 1")).json()["QueryResponse"]["Invoice"][0]
    ref = [{"EntityRef": {"type": "Invoice", "value": invoice["Id"]}}]
    answer = await _upload(qbo, _multipart({"FileName": "receipt.pdf", "AttachableRef": ref}, PDF))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "time" in body
    (item,) = body["AttachableResponse"]
    made = item["Attachable"]
    assert made["FileName"] == "receipt.pdf"
    assert made["ContentType"] == "application/pdf"  # from the content part when the metadata names none
    assert made["Size"] == len(PDF)
    assert made["SyncToken"] == "0"
    assert made["AttachableRef"] == ref
    assert made["FileAccessUri"] == f"/v3/company/{qbo.realm}/download/{made['Id']}"
    assert made["TempDownloadUri"].startswith("http")
    assert "CreateTime" in made["MetaData"]

    listed = (await qbo.query(f"SELECT * FROM Attachable WHERE Id = '{made['Id']}'")).json()["QueryResponse"]
    assert listed["Attachable"][0]["FileName"] == "receipt.pdf"
    assert (await qbo.get(f"attachable/{made['Id']}")).json()["Attachable"]["Size"] == len(PDF)

    link = await qbo.get(f"download/{made['Id']}")
    assert link.status_code == 200
    assert link.headers["content-type"].startswith("text/plain")
    fetched = await qbo.client.get(link.text)  # the temporary link needs no bearer token
    assert fetched.status_code == 200
    assert fetched.content == PDF
    assert fetched.headers["content-type"] == "application/pdf"
    forged = await qbo.client.get(link.text.replace("signature=", "signature=0"))
    assert forged.status_code == 403


async def test_file_name_defaults_to_the_content_part(qbo: Connected) -> None:
    answer = await _upload(qbo, _multipart(None, b"hello", name="note.txt"))
    made = answer.json()["AttachableResponse"][0]["Attachable"]
    assert made["FileName"] == "note.txt"
    assert made["Size"] == 5
    assert "AttachableRef" not in made


async def test_refusals_are_per_item_faults(qbo: Connected) -> None:
    missing_content = await _upload(qbo, _multipart({"FileName": "x.pdf"}, None))
    assert missing_content.status_code == 200
    fault = missing_content.json()["AttachableResponse"][0]["Fault"]
    assert fault["Error"][0]["code"] == "2020"
    unknown_ref = {"FileName": "x.pdf", "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": "999999"}}]}
    refused = await _upload(qbo, _multipart(unknown_ref, b"x"))
    assert refused.json()["AttachableResponse"][0]["Fault"]["Error"][0]["code"] == "610"
    not_multipart = await qbo.client.post(qbo.url("upload"), content=b"{}", headers=qbo.headers)
    assert not_multipart.status_code == 400


async def test_download_needs_the_bearer_and_a_known_file(qbo: Connected) -> None:
    made = (await _upload(qbo, _multipart(None, b"abc", name="a.txt"))).json()["AttachableResponse"][0]
    entity_id = made["Attachable"]["Id"]
    anonymous = await qbo.client.get(qbo.url(f"download/{entity_id}"))
    assert anonymous.status_code == 401
    unknown = await qbo.get("download/987654")
    assert unknown.status_code == 400
    assert unknown.json()["Fault"]["Error"][0]["code"] == "610"


async def test_a_generated_company_has_receipts(qbo: Connected) -> None:
    listed = (await qbo.query("SELECT * FROM Attachable")).json()["QueryResponse"]["Attachable"]
    assert [one["FileName"] for one in listed] == ["receipt-1.txt", "receipt-2.txt", "receipt-3.txt"]
    assert listed[0]["AttachableRef"][0]["EntityRef"] == {"type": "Invoice", "value": "1"}
    fetched = await qbo.client.get(listed[0]["TempDownloadUri"])
    assert len(fetched.content) == listed[0]["Size"]


async def test_a_repeated_requestid_writes_once(qbo: Connected) -> None:
    files = _multipart({"FileName": "once.pdf"}, PDF)
    first = await _upload(qbo, files, requestid="r-1")
    second = await _upload(qbo, files, requestid="r-1")
    assert first.json() == second.json()
    listed = (await qbo.query("SELECT * FROM Attachable WHERE FileName = 'once.pdf'")).json()["QueryResponse"]
    assert len(listed["Attachable"]) == 1
