"""The portal's pages for policyholders, their delegates and agents: where each audit stands, the
online self-audit, record uploads, messages, the worksheet, and who has access. Every page checks
who may see which insured (``access.py``) and every request is logged."""
