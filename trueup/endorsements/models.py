"""Endorsements: the changes an audit or an underwriter makes to a policy period."""
