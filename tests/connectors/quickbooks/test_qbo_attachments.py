"""QBO attachables: the write table (file, name, link to an object), the multipart upload QBO's ``/upload`` takes,
the read mapping of what it answers, and the download through ``/download/{Id}`` and its temporary link."""

from __future__ import annotations

import base64
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import msgspec
import pytest
from qbo_connector_kit import ClientFactory

from ledgerport.connectors._base import Malformed, Rejected, Request
from ledgerport.connectors._base.files import FileBody
from ledgerport.connectors._base.mapping import MappingContext, apply
from ledgerport.connectors._base.writes import build_payload
from ledgerport.connectors.quickbooks import CONNECTOR
from ledgerport.connectors.quickbooks.attachments import ATTACHMENT, ATTACHMENT_WRITES, download, upload

CONTEXT = MappingContext(ref=lambda model, rid: f"{model}:{rid}")
DATA = b"\x00\x01binary\xffreceipt" * 50
URL = f"data:image/jpeg;base64,{base64.b64encode(DATA).decode()}"


def _payload(model: dict[str, Any]) -> dict[str, Any]:
    (target,) = ATTACHMENT_WRITES.targets
    return build_payload(target, model, lambda record_id: None)


def test_the_table_decodes_the_file_and_links_the_object() -> None:
    payload = _payload(
        {"file_name": "r.jpg", "file_url": URL, "integration_params": {"entity": "Invoice", "entity_id": "95"}}
    )
    assert payload["FileName"] == "r.jpg"
    assert payload["_file"] == FileBody(data=DATA, content_type="image/jpeg")
    assert payload["AttachableRef"] == [{"EntityRef": {"type": "Invoice", "value": "95"}}]
    assert "AttachableRef" not in _payload({"file_name": "r.jpg", "file_url": URL})


def test_the_checks_refuse_what_cannot_be_sent() -> None:
    (target,) = ATTACHMENT_WRITES.targets
    checks = {check.pointer: check for check in target.checks}
    assert checks["/model/file_url"].test({"file_url": "https://example.com/a.pdf"}) is not None
    assert checks["/model/file_url"].test({"file_url": "data:image/png;base64,***"}) is not None
    assert checks["/model/file_url"].test({"file_url": URL}) is None
    assert checks["/model/integration_params"].test({"integration_params": {"entity": "Invoice"}}) is not None
    assert checks["/model/integration_params"].test({}) is None


def test_a_note_without_a_file_is_no_attachment() -> None:
    assert ATTACHMENT.when is not None
    assert ATTACHMENT.when({"Id": "7", "Note": "call back"}) is False
    assert CONNECTOR.writes["AccountingAttachment"] is ATTACHMENT_WRITES
    assert CONNECTOR.download is download


async def test_upload_sends_intuits_multipart_and_maps_the_answer(make_client: ClientFactory, sandbox: Any) -> None:
    client = make_client()
    sent: list[Request] = []
    inner = client.transport

    class Recording:
        async def send(self, request: Request) -> Any:
            sent.append(request)
            return await inner.send(request)

        async def close(self) -> None:
            """Nothing to release."""

    client.transport = Recording()  # type: ignore[assignment]
    payload = _payload(
        {"file_name": "r.jpg", "file_url": URL, "integration_params": {"entity": "Invoice", "entity_id": "1"}}
    )
    made = await upload(client, payload, "op-key-1")
    (request,) = sent
    assert request.url.endswith("/upload")
    assert ("requestid", "op-key-1") in request.params
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    parts = {
        p.get_param("name", header="content-disposition"): p
        for p in BytesParser(policy=HTTP).parsebytes(head + (request.body or b"")).iter_parts()
    }
    assert set(parts) == {"file_metadata_01", "file_content_01"}
    metadata = msgspec.json.decode(parts["file_metadata_01"].get_payload(decode=True))
    assert metadata == {
        "FileName": "r.jpg",
        "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": "1"}}],
        "ContentType": "image/jpeg",
    }
    assert parts["file_content_01"].get_payload(decode=True) == DATA
    assert parts["file_content_01"].get_content_type() == "image/jpeg"
    document = apply(ATTACHMENT, made, CONTEXT)
    assert document.remote_id == made["Id"]
    assert document.file_name == "r.jpg"
    assert document.file_url is None  # the API answers its own link, never the provider's

    file = await download(client, made["Id"], made)
    assert file == FileBody(data=DATA, content_type="image/jpeg")
    assert "Authorization" not in sent[-1].headers  # the temporary link carries its own signature


async def test_a_refused_upload_is_rejected_with_qbo_s_fault(make_client: ClientFactory) -> None:
    client = make_client()
    payload = _payload(
        {"file_name": "r.jpg", "file_url": URL, "integration_params": {"entity": "Invoice", "entity_id": "999999"}}
    )
    with pytest.raises(Rejected) as refused:
        await upload(client, payload, "op-key-2")
    assert refused.value.problems
    assert "610" in (refused.value.problems[0].raw_error or "")


async def test_a_temporary_link_elsewhere_than_https_is_not_followed(make_client: ClientFactory) -> None:
    client = make_client()
    inner = client.transport

    class Elsewhere:
        async def send(self, request: Request) -> Any:
            answer = await inner.send(request)
            if "/download/" in request.url:
                return msgspec.structs.replace(answer, body=b"http://169.254.169.254/latest/meta-data")
            return answer

        async def close(self) -> None:
            """Nothing to release."""

    client.transport = Elsewhere()  # type: ignore[assignment]
    with pytest.raises(Malformed):
        await download(client, "1", None)
