"""Linking accounts: the provider-neutral OAuth flow that turns a person's consent into a linked account, and
the signing-credentials path for providers that offer one."""

from ledgerport.linking.credentials import link_with_credentials, read_credentials, sandbox_credentials
from ledgerport.linking.flow import EndUser, authorize_url, complete, save_link, typed_facts
from ledgerport.linking.headless import link_sandbox

__all__ = [
    "EndUser",
    "authorize_url",
    "complete",
    "link_sandbox",
    "link_with_credentials",
    "read_credentials",
    "sandbox_credentials",
    "save_link",
    "typed_facts",
]
