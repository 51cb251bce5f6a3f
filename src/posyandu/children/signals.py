"""Signals from the registry to the apps built on it (which the registry may not import)."""

from django.dispatch import Signal

# Sent inside the transaction of a registry edit that changed the child's
# birth date or sex, with ``child`` and ``user``: everything derived from
# age and sex (z-scores, categories, N/T) must be computed again.
child_identity_changed = Signal()
