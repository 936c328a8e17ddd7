"""The SuiteQL tables the sandbox serves (NETSUITE.md), as data: table -> columns -> kind.

Kinds: ``int`` (internal ids and counts), ``num`` (amounts, rates), ``text``, ``bool`` ('T'/'F' as SuiteQL writes
them), ``date`` and ``datetime`` (both stored as ``YYYY-MM-DD HH:MM:SS`` text in the account's time zone, so
they compare with each other and with ``TO_DATE`` the way Oracle DATEs do), ``multi`` (a multi-select: the ids
as ``"1, 2"`` text, as SuiteQL renders them).
"""

from __future__ import annotations

from ledgerport.sandboxes.netsuite.catalog import CUSTOM_BODY_FIELD, CUSTOM_SEGMENT, CUSTOM_SEGMENT_RECORD

__all__ = ["DATE_KINDS", "DDL", "INDEXES", "TABLES", "column_kind"]

DATE_KINDS = frozenset({"date", "datetime"})


def _t(spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in spec.split():
        name, _, kind = part.partition(":")
        out[name] = kind or "int"
    return out


_ENTITY = (
    "id entityid:text companyname:text isperson:bool firstname:text lastname:text email:text phone:text"
    " altphone:text fax:text url:text subsidiary currency terms isinactive:bool datecreated:datetime"
    " lastmodifieddate:datetime externalid:text defaultbillingaddress defaultshippingaddress comments:text"
    " creditlimit:num"
)
_SEGMENT = "id name:text fullname:text parent isinactive:bool subsidiary:multi includechildren:bool"
_SEGMENT += " lastmodifieddate:datetime externalid:text"

TABLES: dict[str, dict[str, str]] = {
    "transaction": _t(
        "id tranid:text transactionnumber:text type:text recordtype:text trandate:date postingperiod entity currency"
        " exchangerate:num status:text memo:text createddate:datetime lastmodifieddate:datetime foreigntotal:num"
        " foreignamountremaining:num foreignamountunpaid:num duedate:date approvalstatus voided:bool posting:bool"
        " externalid:text createdfrom terms otherrefnum:text employee shipdate:date daysopen"
        f" {CUSTOM_BODY_FIELD}:text"
    ),
    "transactionline": _t(
        "id transaction uniquekey linesequencenumber mainline:bool taxline:bool item quantity:num rate:num"
        " netamount:num foreignamount:num memo:text department class location subsidiary entity expenseaccount"
        " linelastmodifieddate:datetime isclosed:bool quantityshiprecv:num itemtype:text"
        f" {CUSTOM_SEGMENT}"
    ),
    "transactionaccountingline": _t(
        "transaction transactionline account accountingbook amount:num debit:num credit:num netamount:num"
        " posting:bool amountunpaid:num exchangerate:num lastmodifieddate:datetime"
    ),
    "previoustransactionlinelink": _t(
        "previousdoc previousline nextdoc nextline linktype:text previoustype:text nexttype:text foreignamount:num"
        " amount:num"
    ),
    "deletedrecord": _t(
        "deleteddate:datetime type:text recordid name:text context:text deletedby iscustomlist:bool iscustomrecord:bool"
    ),
    "customer": _t(f"{_ENTITY} balancesearch:num parent receivablesaccount altname:text"),
    "vendor": _t(f"{_ENTITY} balance:num legalname:text payablesaccount expenseaccount"),
    "entityaddress": _t(
        "nkey addr1:text addr2:text addr3:text city:text state:text zip:text country:text addressee:text"
        " addrphone:text attention:text"
    ),
    "employee": _t(
        "id entityid:text firstname:text lastname:text email:text phone:text subsidiary department location"
        " supervisor title:text isinactive:bool hiredate:date datecreated:datetime lastmodifieddate:datetime"
        " externalid:text currency"
    ),
    "job": _t(
        "id entityid:text companyname:text parent customer entitystatus startdate:date projectedenddate:date"
        " subsidiary currency isinactive:bool datecreated:datetime lastmodifieddate:datetime externalid:text"
    ),
    "account": _t(
        "id acctnumber:text accountsearchdisplayname:text accountsearchdisplaynamecopy:text fullname:text"
        " displaynamewithhierarchy:text accttype:text parent issummary:bool isinactive:bool currency"
        " subsidiary:multi includechildren:bool description:text lastmodifieddate:datetime externalid:text"
        " eliminate:bool revalue:bool generalrate:text cashflowrate:text"
    ),
    "item": _t(
        "id itemid:text fullname:text displayname:text itemtype:text subtype:text salesdescription:text"
        " purchasedescription:text baseprice:num cost:num incomeaccount expenseaccount assetaccount isinactive:bool"
        " subsidiary:multi includechildren:bool createddate:datetime lastmodifieddate:datetime externalid:text"
    ),
    "salestaxitem": _t(
        "id itemid:text fullname:text description:text rate:num taxtype isinactive:bool externalid:text"
    ),
    "taxgroup": _t("id itemid:text fullname:text description:text rate:num taxtype isinactive:bool externalid:text"),
    "taxtype": _t("id name:text description:text country:text isinactive:bool"),
    "department": _t(_SEGMENT),
    "classification": _t(_SEGMENT),
    "location": _t(_SEGMENT),
    "accountingperiod": _t(
        "id periodname:text startdate:date enddate:date isposting:bool isyear:bool isquarter:bool isadjust:bool"
        " closed:bool aplocked:bool arlocked:bool alllocked:bool isinactive:bool parent closedondate:date"
        " lastmodifieddate:datetime"
    ),
    "term": _t(
        "id name:text daysuntilnetdue discountpercent:num daysuntilexpiry isinactive:bool datedriven:bool"
        " lastmodifieddate:datetime externalid:text"
    ),
    "subsidiary": _t(
        "id name:text fullname:text legalname:text parent currency country:text iselimination:bool isinactive:bool"
        " lastmodifieddate:datetime externalid:text"
    ),
    "currency": _t(
        "id name:text symbol:text displaysymbol:text isbasecurrency:bool exchangerate:num currencyprecision"
        " isinactive:bool lastmodifieddate:datetime externalid:text"
    ),
    "currencyrate": _t("id basecurrency transactioncurrency exchangerate:num effectivedate:date"),
    "customsegment": _t("id scriptid:text label:text recordtype:text isinactive:bool"),
    CUSTOM_SEGMENT_RECORD: _t(
        "id name:text scriptid:text isinactive:bool externalid:text created:datetime lastmodified:datetime"
    ),
    "dual": _t("dummy:text"),
}

_SQL_TYPES = {"int": "INTEGER", "num": "REAL", "bool": "TEXT", "text": "TEXT", "multi": "TEXT"}
_SQL_TYPES.update(dict.fromkeys(DATE_KINDS, "TEXT"))
INDEXES = [
    'CREATE INDEX ix_tl_tran ON transactionline("transaction", id)',
    'CREATE INDEX ix_tal_tran ON transactionaccountingline("transaction")',
    "CREATE INDEX ix_link_next ON previoustransactionlinelink(nextdoc)",
    "CREATE INDEX ix_link_prev ON previoustransactionlinelink(previousdoc)",
    'CREATE INDEX ix_t_type ON "transaction"(type, id)',
    'CREATE INDEX ix_t_mod ON "transaction"(lastmodifieddate)',
    'CREATE INDEX ix_t_entity ON "transaction"(entity)',
]


def _ddl() -> list[str]:
    statements = []
    for table, columns in TABLES.items():
        cols = ", ".join(
            f'"{name}" {_SQL_TYPES[kind]}' + (" PRIMARY KEY" if name == "id" and table != "transactionline" else "")
            for name, kind in columns.items()
        )
        statements.append(f'CREATE TABLE "{table}" ({cols})')
    return statements


DDL = _ddl()


def column_kind(table: str, column: str) -> str | None:
    """The kind of ``table.column``, or ``None``."""
    return TABLES.get(table, {}).get(column)
