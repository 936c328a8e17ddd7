"""Linking accounts: the provider-neutral OAuth flow that turns a person's consent into a linked account."""

from ledgerport.linking.flow import EndUser, authorize_url, complete
from ledgerport.linking.headless import link_sandbox

__all__ = ["EndUser", "authorize_url", "complete", "link_sandbox"]
