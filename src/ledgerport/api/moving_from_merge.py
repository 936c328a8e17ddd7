"""The "Moving from Merge" guide, served at ``/docs/moving-from-merge`` and linked from the reference page's contents.

It is Markdown in the small dialect :func:`ledgerport.api.docs.guide_page` renders (``## `` headings, ``- `` lists,
paragraphs, `code`, **bold**, fenced blocks). What it says is not supported is checked by
``tests/api/test_openapi.py``: each of those paths answers 404 on a live server.
"""

from __future__ import annotations

from ledgerport.connectors import CONNECTORS

__all__ = ["NOT_YET_SERVED", "moving_from_merge"]

NOT_YET_SERVED: tuple[str, ...] = ()
"""Merge Accounting API paths this server does not answer yet (each is a 404 here)."""

_GUIDE = """\
ledgerport answers the same requests as Merge's Accounting API, with the same JSON shapes, headers, pagination \
cursors, filters and errors. Code written against Merge keeps working; what changes is where it sends its requests \
and who holds the data.

## What to change

Only the base URL. Merge's SDKs take it as a constructor argument; point it at your server and end it with `/api`. \
The API key is one your ledgerport server issued (`ledgerport orgs create` prints the first, `POST /generate-key` \
makes more), and account tokens are the ones your server gave out when the end user linked.

```python
from merge import Merge

client = Merge(
    api_key="lpk_...",                       # an API key of your ledgerport organization
    account_token="lpt_...",                 # the linked account's token
    base_url="https://ledger.example.com/api",
)
invoices = client.accounting.invoices.list(page_size=50, expand="contact")
```

Raw HTTP clients change the host the same way: `https://ledger.example.com/api/accounting/v1/invoices` with \
`Authorization: Bearer <api key>` and `X-Account-Token: <account token>`. The routes also answer without the \
`/api` prefix, for SDKs configured without it.

Linking follows Merge's flow: `POST /link-token` returns a `magic_link_url`; the end user opens it, consents at \
the provider, and your backend exchanges the public token at `GET /account-token/{public_token}`. Accounts \
linked with Merge cannot be moved as they are (the provider's grant belongs to Merge's OAuth application): each \
end user links once more, against your own registration at the provider.

## What ledgerport adds

- **Self-hosted.** One process for the API, any number of `ledgerport worker` processes for syncs and writes, and \
SQLite or PostgreSQL. The data, the provider credentials (encrypted at rest) and the logs stay on your machines.
- **Sandboxes.** `ledgerport sandbox <provider>` serves a local emulator of the \
provider's API, OAuth included, with seeded companies, rate limits and injectable faults; `ledgerport demo` runs \
all of them with a linked tenant. Tests and demos need no provider account.
- **Exactly-once writes.** Send `Idempotency-Key` on a create or update: a repeat returns the first answer, and the \
provider is called with a key derived from yours, so a retry after a timeout or a crashed worker never writes a \
second invoice. Asynchronous writes (`/async`, `run_async=true`) and bulk creates (`/bulk`) are built the same way.
- **Signed webhooks.** Register endpoints with `/api/webhooks/endpoints` (or `ledgerport webhooks add`); each \
delivery carries the HMAC-SHA256 signature Merge's receivers already check, is retried with backoff, stays in \
order per linked account, and can be replayed.
- **Providers in the open.** {providers} are connectors in the repository: mapping tables you can \
read, change and test against the sandboxes. `GET /api/integrations` lists \
them and what each can read and write.
- **An operator's CLI.** `ledgerport orgs list`, `accounts list`, `jobs list` and `sync --wait` show what is \
linked, when it syncs next and why a job failed.
- **The audit trail** (`GET /audit-trail`) lists API keys, linked accounts and webhook endpoints made, changed or \
removed, by the API, the CLI or the dashboard. Merge's event types are used; an account being linked, which Merge \
does not list, is `CREATED_LINKED_ACCOUNT`, and webhook endpoints are its `*_MERGE_WEBHOOK` events.
- **Field mappings** (`/field-mappings`, `/remote-fields`, `/target-fields`) belong to the linked account of the \
account token (Merge's linked-account-defined targets): `organization_defined_targets` is always empty, \
`/target-fields` lists the account's own targets, and `jmes_path` or `advanced_mapping_expression` are refused. \
Values appear under `field_mappings` after the sync that a change queues; `/remote-fields` lists the paths the \
account's synced records hold.

## Attachments

`GET /attachments`, `GET /attachments/{id}`, `POST /attachments` and `GET /attachments/meta/post` answer as Merge's \
do, for the integrations whose `available-actions` list `AccountingAttachment`. Differences a developer meets:

- **`file_url` in a response is ledgerport's own link**, `/api/accounting/v1/attachments/{id}/download`, \
authenticated like every endpoint (API key and account token). It streams the file from the provider with the \
linked account's credentials; a provider's own download link is never handed out.
- **`file_url` in a `POST` is fetched by the server**, only from hosts the operator lists in \
`LEDGERPORT_ATTACHMENT_FETCH_ALLOW` (comma-separated names or patterns such as `*.s3.amazonaws.com`). The list is \
empty by default, which refuses every URL with a 400 naming the setting. Private, loopback and link-local \
addresses are refused unless `LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE=1`; redirects are not followed; files are \
at most `LEDGERPORT_ATTACHMENT_MAX_BYTES` (25 MB) and the fetch has `LEDGERPORT_ATTACHMENT_FETCH_SECONDS` (30).
- **A `data:` URL** (`data:application/pdf;base64,...`) carries the bytes in the request itself and needs no fetch \
(a request body is at most 10 MB, so about 7 MB of file; larger files go by an allowed URL).
- **`integration_params`** names the object a file belongs to, as `{"entity": ..., "entity_id": <the provider's \
id of the object>}`. Providers that keep every file under an object require it; others also take files that stand \
alone. `GET /attachments/meta/post` describes what the linked account's provider takes.
- Syncs read a provider's files where it lists them, and otherwise only the files of objects the provider flags as \
having some (one request per such object that changed, not per record).

## Scopes and selective sync

`GET /default-scopes` answers the defaults, which are fixed: every model and field enabled, `WRITE` where Merge \
can write the model (Merge sets an organization's defaults in its dashboard; here a linked account's own scopes \
are the way to narrow them). `POST /linked-account-scopes` replaces a linked account's scopes; models it leaves \
out inherit the defaults, and unknown model or field names are a 400 naming them. A disabled field is `null` in \
every stored record from that moment (the records already stored are rewritten at once), and a model with a \
disabled field keeps no `remote_data`, since the provider's record holds the disabled value under its own name. \
A model with `READ` disabled is not synced, its stored records are deleted, and its endpoints answer 403; with \
`WRITE` disabled, writes answer 403 with Merge's `errors` list. Each change queues a full sync and is in the \
audit trail as `CHANGED_SCOPES`.

Selective sync: `GET /selective-sync/meta` lists the conditions the integration offers (invoices by issue date, \
payments and journal entries by transaction date, contacts by status), `PUT /selective-sync/configurations` sets \
them and `GET /selective-sync/conditions` lists them as Merge's SDK reads them. Only records meeting every \
condition on their model are stored; records that no longer meet new conditions are deleted, and a full sync is \
queued. A stored record that stops meeting a condition later keeps its last stored content.

## What it does not do yet

Every path of Merge's Accounting API is answered. Where the answer differs:

Bank feeds (`/bank-feed-accounts`, `/bank-feed-transactions`) go to the provider's own bank feed API where it has \
one (some open it to approved partners only); where it has none, ledgerport keeps the feeds and transactions itself \
(they read back, and `is_processed` stays false), and `meta/post` says which. Expense reports are served, empty, \
for integrations that keep none. Addresses and phone numbers stay nested in contacts and companies, each with an \
`id` that `GET /addresses/{id}` and `GET /phone-numbers/{id}` answer.

Remote fields are served for the models whose providers have them (`include_remote_fields`, \
`/remote-field-classes`), and `available-actions` or `GET /api/integrations` say which models and operations each \
integration supports. Integrations other than those above are listed there as not available for linking.
"""


def moving_from_merge() -> str:
    """The guide's Markdown, naming the providers the connector registry holds."""
    names = [connector.name for connector in CONNECTORS.values()]
    providers = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return _GUIDE.replace("{providers}", providers)
