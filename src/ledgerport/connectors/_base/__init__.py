"""What every connector is built from: transports, errors, auth, paging, streams, mappings and the Connector."""

from ledgerport.connectors._base.connector import Connector, Limits, field_support
from ledgerport.connectors._base.errors import (
    AuthExpired,
    AuthRevoked,
    Conflict,
    ConnectorError,
    DailyLimitReached,
    ErrorRule,
    Malformed,
    NotFound,
    Problem,
    RateLimited,
    Rejected,
    Transient,
    classify,
)
from ledgerport.connectors._base.http import (
    AiohttpTransport,
    AsgiTransport,
    FunctionTransport,
    Request,
    Response,
    Transport,
)

__all__ = [
    "AiohttpTransport",
    "AsgiTransport",
    "AuthExpired",
    "AuthRevoked",
    "Conflict",
    "Connector",
    "ConnectorError",
    "DailyLimitReached",
    "ErrorRule",
    "FunctionTransport",
    "Limits",
    "Malformed",
    "NotFound",
    "Problem",
    "RateLimited",
    "Rejected",
    "Request",
    "Response",
    "Transient",
    "Transport",
    "classify",
    "field_support",
]
