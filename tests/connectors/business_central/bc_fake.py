"""A scripted Business Central for the connector's unit tests: Entra's authorize and token endpoints, the
companies listing and company-scoped entity sets with the OData the connector uses (``$filter`` on
``lastModifiedDateTime``, ``$select=id``, ``$expand``, ``Prefer: odata.maxpagesize`` with ``@odata.nextLink``).

It answers as BC.md pins the wire; it is not the sandbox (tests/e2e/ run against that), only enough of it to
script throttles, expired tokens and refused grants one request at a time."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ledgerport.connectors._base import Request, Response

__all__ = ["COMPANY", "TENANT", "USER", "FakeBusinessCentral", "jwt", "seeded"]

TENANT = "7c4a1b2e-0000-4000-8000-00000000000a"
USER = "0e5a9d3c-0000-4000-8000-0000000000aa"
_SET = re.compile(r"^/v2\.0/(?P<tenant>[^/]+)/(?P<env>[^/]+)/api/v2\.0/companies\((?P<company>[^)]+)\)/(?P<set>\w+)$")
_COMPANIES = re.compile(r"^/v2\.0/(?P<tenant>[^/]+)/(?P<env>[^/]+)/api/v2\.0/companies$")
_FILTER = re.compile(r"^lastModifiedDateTime (?P<op>gt|ge) (?P<value>\S+)$")


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned-looking JWT carrying ``claims`` (the connector reads, never verifies, the claims)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status=status, headers={"content-type": "application/json", **(headers or {})}, body=json.dumps(body).encode()
    )


def _error(status: int, code: str, message: str) -> Response:
    return _json(status, {"error": {"code": code, "message": f"{message}  CorrelationId:  0000-1111."}})


class FakeBusinessCentral:
    """One tenant; ``companies[env]`` lists companies, ``sets[company][entitySet]`` their records."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.companies: dict[str, list[dict[str, Any]]] = {
            "production": [
                {"id": "c0000000-0000-4000-8000-000000000002", "name": "CRONUS USA, Inc.", "displayName": "CRONUS USA"},
                {
                    "id": "c0000000-0000-4000-8000-000000000001",
                    "name": "CRONUS Canada, Inc.",
                    "displayName": "CRONUS CA",
                },
            ],
            "sandbox": [{"id": "c0000000-0000-4000-8000-000000000003", "name": "Test Co", "displayName": "Test"}],
        }
        self.sets: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self.seen: list[Request] = []
        self.throttles: list[dict[str, str]] = []
        """Headers of the 429s to answer next, one per API request."""
        self.refresh_ok = True
        self.access: set[str] = set()
        self.refresh_tokens: list[str] = []
        self.issued = 0
        self.on_api: Callable[[Request], Response | None] | None = None

    # --- Entra -----------------------------------------------------------------------------------------------

    def _tokens(self) -> Response:
        self.issued += 1
        access = jwt({"tid": TENANT, "oid": USER, "aud": "https://api.businesscentral.dynamics.com", "n": self.issued})
        refresh = f"rt-{self.issued}"
        self.access.add(access)
        self.refresh_tokens.append(refresh)
        body = {"token_type": "Bearer", "access_token": access, "refresh_token": refresh, "expires_in": 3600}
        return _json(200, body)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is refused (401) from now on."""
        self.access.clear()

    def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((request.body or b"").decode()))
        if form.get("client_id") != "sandbox-client" or form.get("client_secret") != "sandbox-secret":
            return _json(401, {"error": "invalid_client"})
        if form["grant_type"] == "authorization_code":
            return self._tokens()
        if form["grant_type"] == "refresh_token":
            if not self.refresh_ok or form.get("refresh_token") not in self.refresh_tokens:
                return _json(400, {"error": "invalid_grant", "error_description": "AADSTS70008: expired"})
            return self._tokens()
        return _json(400, {"error": "unsupported_grant_type"})

    # --- the API ---------------------------------------------------------------------------------------------

    def _listing(self, request: Request, rows: list[dict[str, Any]], expandable: bool) -> Response:
        query = dict(parse_qsl(urlsplit(request.full_url).query))
        selected = list(rows)
        if "$filter" in query:
            found = _FILTER.match(query["$filter"])
            if found is None:
                return _error(400, "BadRequest", f"unsupported filter {query['$filter']}")
            value, strict = found["value"], found["op"] == "gt"
            selected = [
                r
                for r in selected
                if (r["lastModifiedDateTime"] > value if strict else r["lastModifiedDateTime"] >= value)
            ]
        if query.get("$orderby") == "lastModifiedDateTime asc":
            selected.sort(key=lambda r: r["lastModifiedDateTime"])
        expand = query.get("$expand", "")
        if query.get("$select") == "id":
            selected = [{"id": r["id"]} for r in selected]
        else:
            selected = [{k: v for k, v in r.items() if not isinstance(v, list) or k == expand} for r in selected]
        size = int((request.headers.get("Prefer") or "odata.maxpagesize=20000").split("=")[1])
        skip = int(query.get("$skiptoken", "0"))
        page = selected[skip : skip + size]
        body: dict[str, Any] = {
            "@odata.context": f"{self.origin}/$metadata#x",
            "value": [{"@odata.etag": 'W/"x"', **r} for r in page],
        }
        if skip + size < len(selected):
            rest = {k: v for k, v in query.items() if k != "$skiptoken"}
            base = request.url.split("?")[0]
            body["@odata.nextLink"] = f"{base}?{urlencode({**rest, '$skiptoken': str(skip + size)})}"
        return _json(200, body)

    def _api(self, request: Request, path: str) -> Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if bearer not in self.access:
            return _error(401, "Authentication_InvalidCredentials", "The server has rejected the client credentials.")
        if self.throttles:
            headers = self.throttles.pop(0)
            return (
                _error(429, "Application_TooManyRequests", "Too many requests reached.")
                if not headers
                else Response(
                    status=429, headers=headers, body=b'{"error":{"code":"Application_TooManyRequests","message":"x"}}'
                )
            )
        if self.on_api is not None and (scripted := self.on_api(request)) is not None:
            return scripted
        if found := _COMPANIES.match(path):
            if found["tenant"] != TENANT or found["env"] not in self.companies:
                return _error(404, "BadRequest_NotFound", "no such environment")
            return _json(200, {"value": self.companies[found["env"]]})
        if found := _SET.match(path):
            company = self.sets.get(found["company"])
            if found["tenant"] != TENANT or company is None:
                return _error(404, "Internal_CompanyNotFound", "no such company")
            return self._listing(request, company.get(found["set"], []), True)
        return _error(404, "BadRequest_ResourceNotFound", f"Resource not found for the segment '{path}'")

    def __call__(self, request: Request) -> Response:
        self.seen.append(request)
        path = urlsplit(request.url).path
        if path == "/organizations/oauth2/v2.0/authorize":
            query = dict(parse_qsl(urlsplit(request.full_url).query))
            if query.get("auto_approve") != "true":
                return Response(status=200, headers={}, body=b"<html>consent</html>")
            back = {"code": "the-code", "state": query["state"], "session_state": "s"}
            return Response(status=302, headers={"location": f"{query['redirect_uri']}?{urlencode(back)}"}, body=b"")
        if path.endswith("/oauth2/v2.0/token"):
            return self._token(request)
        return self._api(request, path)


COMPANY = "c0000000-0000-4000-8000-000000000002"
EMPTY = "00000000-0000-0000-0000-000000000000"


def _id(kind: int, n: int) -> str:
    return f"{kind:08x}-0000-4000-8000-{n:012x}"


def seeded(stamp: str = "2026-01-01T00:00:00Z", customers: int = 3) -> dict[str, list[dict[str, Any]]]:
    """A small company as BC's v2.0 answers it: escaped enums, blank GUIDs and dates, documents with lines."""
    at = {"lastModifiedDateTime": stamp}
    account, bank = _id(1, 1), _id(1, 2)
    customer_ids = [_id(2, n) for n in range(1, customers + 1)]
    vendor, item, term, area, group = _id(3, 1), _id(4, 1), _id(5, 1), _id(6, 1), _id(6, 2)
    dimension, value = _id(7, 1), _id(7, 2)
    invoice = _id(8, 1)
    return {
        "companyInformation": [
            {
                "id": _id(9, 1),
                "displayName": "CRONUS USA, Inc.",
                "addressLine1": "7122 South Ashford Street",
                "city": "Atlanta",
                "state": "GA",
                "country": "US",
                "postalCode": "31772",
                "phoneNumber": "+1 425 555 0100",
                "faxNumber": "",
                "email": "",
                "website": "https://cronus.example",
                "taxRegistrationNumber": "77-7777777",
                "currencyCode": "USD",
                "currentFiscalYearStartDate": "2026-01-01",
                **at,
            },
        ],
        "accounts": [
            {
                "id": account,
                "number": "40100",
                "displayName": "Income, Services",
                "category": "Income",
                "subCategory": "Income, Services",
                "blocked": False,
                "accountType": "Posting",
                "netChange": 1200.5,
                **at,
            },
            {
                "id": bank,
                "number": "10100",
                "displayName": "Checking account",
                "category": "Assets",
                "subCategory": "Cash",
                "blocked": True,
                "accountType": "Begin_x002D_Total",
                "netChange": 0,
                **at,
            },
        ],
        "taxAreas": [{"id": area, "code": "ATLANTA", "displayName": "Atlanta, GA", "taxType": "Sales_x0020_Tax", **at}],
        "taxGroups": [{"id": group, "code": "TAXABLE", "displayName": "Taxable", "taxType": "Sales_x0020_Tax", **at}],
        "dimensions": [{"id": dimension, "code": "DEPARTMENT", "displayName": "Department", **at}],
        "dimensionValues": [
            {"id": value, "code": "SALES", "dimensionId": dimension, "displayName": "Sales", **at},
        ],
        "paymentTerms": [
            {
                "id": term,
                "code": "30 DAYS",
                "displayName": "Net 30",
                "dueDateCalculation": "30D",
                "discountDateCalculation": "<8D>",
                "discountPercent": 2,
                **at,
            },
        ],
        "accountingPeriods": [
            {
                "id": _id(10, 1),
                "startingDate": "2026-01-01",
                "name": "January",
                "newFiscalYear": True,
                "closed": False,
                "dateLocked": False,
                **at,
            },
        ],
        "customers": [
            {
                "id": cid,
                "number": f"C{n:05d}",
                "displayName": f"Customer {n}",
                "type": "Company",
                "addressLine1": "1 Main St",
                "addressLine2": "",
                "city": "Atlanta",
                "state": "GA",
                "country": "US",
                "postalCode": "31772",
                "phoneNumber": "",
                "email": f"c{n}@example.com",
                "currencyCode": "",
                "taxRegistrationNumber": "",
                "blocked": "_x0020_" if n > 1 else "All",
                **at,
            }
            for n, cid in enumerate(customer_ids, 1)
        ],
        "vendors": [
            {
                "id": vendor,
                "number": "V00010",
                "displayName": "Fabrikam",
                "addressLine1": "",
                "city": "",
                "state": "",
                "country": "",
                "postalCode": "",
                "phoneNumber": "+1 555 0101",
                "email": "",
                "currencyCode": "CAD",
                "taxRegistrationNumber": "",
                "blocked": "_x0020_",
                **at,
            },
        ],
        "employees": [
            {
                "id": _id(11, 1),
                "number": "E1",
                "givenName": "Ada",
                "surname": "Lovelace",
                "email": "ada@example.com",
                "status": "Active",
                **at,
            },
        ],
        "projects": [{"id": _id(12, 1), "number": "J1", "displayName": "Office fit-out", **at}],
        "items": [
            {
                "id": item,
                "number": "1000",
                "displayName": "Bicycle",
                "type": "Non_x002D_Inventory",
                "blocked": False,
                "unitPrice": 4000,
                "unitCost": 3000.25,
                "taxGroupId": group,
                "taxGroupCode": "TAXABLE",
                **at,
            },
        ],
        "salesInvoices": [
            {
                "id": invoice,
                "number": "103001",
                "invoiceDate": "2026-01-10",
                "postingDate": "2026-01-10",
                "dueDate": "2026-02-09",
                "customerId": customer_ids[0],
                "customerNumber": "C00001",
                "currencyCode": "",
                "paymentTermsId": term,
                "discountAmount": 0,
                "pricesIncludeTax": False,
                "totalAmountExcludingTax": 100,
                "totalTaxAmount": 10,
                "totalAmountIncludingTax": 110,
                "remainingAmount": 60,
                "status": "Open",
                "customerPurchaseOrderReference": "PO-7",
                **at,
                "salesInvoiceLines": [
                    {
                        "id": _id(13, 1),
                        "documentId": invoice,
                        "sequence": 10000,
                        "lineType": "Item",
                        "itemId": item,
                        "accountId": EMPTY,
                        "description": "Bicycle",
                        "unitPrice": 50,
                        "quantity": 2,
                        "amountExcludingTax": 100,
                    },
                    {
                        "id": _id(13, 2),
                        "documentId": invoice,
                        "sequence": 20000,
                        "lineType": "Account",
                        "itemId": EMPTY,
                        "accountId": account,
                        "description": "Service",
                        "unitPrice": 0,
                        "quantity": 0,
                        "amountExcludingTax": 0,
                    },
                ],
            },
        ],
        "purchaseInvoices": [
            {
                "id": _id(8, 2),
                "number": "108001",
                "invoiceDate": "2026-01-11",
                "dueDate": "0001-01-01",
                "vendorId": vendor,
                "currencyCode": "CAD",
                "pricesIncludeTax": True,
                "discountAmount": 0,
                "totalAmountExcludingTax": 20,
                "totalTaxAmount": 0,
                "totalAmountIncludingTax": 20,
                "status": "Draft",
                **at,
                "purchaseInvoiceLines": [
                    {
                        "id": _id(13, 3),
                        "itemId": EMPTY,
                        "accountId": account,
                        "description": "Paper",
                        "unitCost": 10,
                        "quantity": 2,
                        "amountExcludingTax": 20,
                    },
                ],
            },
        ],
        "salesCreditMemos": [
            {
                "id": _id(8, 3),
                "number": "104001",
                "creditMemoDate": "2026-01-12",
                "customerId": customer_ids[1],
                "currencyCode": "",
                "pricesIncludeTax": False,
                "totalAmountIncludingTax": 5,
                "remainingAmount": 5,
                "status": "Open",
                **at,
                "salesCreditMemoLines": [
                    {
                        "id": _id(13, 4),
                        "itemId": item,
                        "accountId": EMPTY,
                        "lineObjectNumber": "1000",
                        "description": "Return",
                        "unitPrice": 5,
                        "quantity": 1,
                        "amountExcludingTax": 5,
                    },
                ],
            },
        ],
        "salesOrders": [
            {
                "id": _id(8, 4),
                "number": "101001",
                "orderDate": "2026-01-05",
                "customerId": customer_ids[0],
                "currencyCode": "",
                "paymentTermsId": term,
                "status": "Open",
                "fullyShipped": False,
                "totalAmountIncludingTax": 80,
                "externalDocumentNumber": "",
                **at,
                "salesOrderLines": [
                    {"id": _id(13, 5), "itemId": item, "description": "Bicycle", "unitPrice": 40, "quantity": 2}
                ],
            },
        ],
        "purchaseOrders": [
            {
                "id": _id(8, 5),
                "number": "106001",
                "orderDate": "2026-01-06",
                "requestedReceiptDate": "0001-01-01",
                "vendorId": vendor,
                "currencyCode": "CAD",
                "status": "Draft",
                "pricesIncludeTax": False,
                "totalAmountIncludingTax": 30,
                **at,
                "purchaseOrderLines": [
                    {
                        "id": _id(13, 6),
                        "itemId": item,
                        "accountId": EMPTY,
                        "description": "Bikes",
                        "directUnitCost": 15,
                        "quantity": 2,
                        "totalTaxAmount": 0,
                        "amountExcludingTax": 30,
                    }
                ],
            },
        ],
        "salesShipments": [
            {
                "id": _id(8, 6),
                "number": "102001",
                "postingDate": "2026-01-07",
                "customerId": customer_ids[0],
                "orderNumber": "101001",
                "externalDocumentNumber": "",
                **at,
                "salesShipmentLines": [
                    {"id": _id(13, 7), "lineType": "Item", "lineObjectNumber": "1000", "quantity": 1}
                ],
            },
        ],
        "generalLedgerEntries": [
            {
                "id": _id(14, 1),
                "entryNumber": 1,
                "postingDate": "2026-01-10",
                "documentNumber": "103001",
                "documentType": "Invoice",
                "accountId": account,
                "accountNumber": "40100",
                "description": "Invoice",
                "debitAmount": 0,
                "creditAmount": 100,
                **at,
            },
            {
                "id": _id(14, 2),
                "entryNumber": 2,
                "postingDate": "2026-01-10",
                "documentNumber": "G0001",
                "documentType": "_x0020_",
                "accountId": bank,
                "accountNumber": "10100",
                "description": "Opening",
                "debitAmount": 100,
                "creditAmount": 0,
                **at,
            },
        ],
        "journals": [
            {
                "id": _id(15, 1),
                "code": "DEFAULT",
                "displayName": "Default Journal Batch",
                "templateDisplayName": "GENERAL",
                **at,
                "journalLines": [
                    {
                        "id": _id(16, 1),
                        "lineNumber": 10000,
                        "accountType": "G_x002F_L_x0020_Account",
                        "accountId": account,
                        "postingDate": "2026-01-15",
                        "documentNumber": "G0002",
                        "amount": -25.5,
                        "description": "Accrual",
                    },
                    {
                        "id": _id(16, 2),
                        "lineNumber": 20000,
                        "accountType": "Bank_x0020_Account",
                        "accountId": bank,
                        "postingDate": "2026-01-14",
                        "documentNumber": "G0002",
                        "amount": 25.5,
                        "description": "Bank",
                    },
                ],
            },
        ],
        "customerPaymentJournals": [
            {
                "id": _id(15, 2),
                "code": "CASHRCPT",
                "displayName": "Cash receipts",
                **at,
                "customerPayments": [
                    {
                        "id": _id(17, 1),
                        "lineNumber": 10000,
                        "customerId": customer_ids[0],
                        "postingDate": "2026-01-20",
                        "documentNumber": "P1",
                        "amount": -50,
                        "appliesToInvoiceId": invoice,
                        **at,
                    },
                ],
            },
        ],
        "vendorPaymentJournals": [
            {
                "id": _id(15, 3),
                "code": "PAYMENT",
                "displayName": "Payments",
                **at,
                "vendorPayments": [
                    {
                        "id": _id(17, 2),
                        "lineNumber": 10000,
                        "vendorId": vendor,
                        "postingDate": "2026-01-21",
                        "documentNumber": "P2",
                        "amount": 20,
                        "appliesToInvoiceId": EMPTY,
                        **at,
                    },
                ],
            },
        ],
    }
