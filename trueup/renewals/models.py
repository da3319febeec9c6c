"""The renewal: the next term's estimate recommended from the audited terms."""
