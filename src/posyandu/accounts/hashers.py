"""The password hasher: Argon2id at OWASP's recommended parameters.

Django's own Argon2 defaults (100 MiB of memory, 2 passes, 8 lanes) cost
about 0.22 s of both cores of this 2-core machine for one login, and 100 MiB
for each login in progress: 200 kader logging in within a minute were half
of the server's work. The OWASP Password Storage Cheat Sheet ("Argon2id"):
"use Argon2id with a minimum configuration of 19 MiB of memory, an iteration
count of 2, and 1 degree of parallelism" (its first of five equivalent
settings), which costs about 0.025 s of one core here. Guessing online is
bounded by the login lockout, so the hash cost matters only for a stolen
database, which is what these parameters are meant for.

The algorithm name stays ``argon2``: a hash made with other parameters (Django's
defaults, before this hasher) still verifies, and Django re-hashes it with
these at the next successful login (``must_update``).
"""

from __future__ import annotations

from typing import Final

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet, Argon2id: m=19 MiB (19,456 KiB), t=2, p=1.
MEMORY_KIB: Final = 19 * 1024
TIME_COST: Final = 2
PARALLELISM: Final = 1


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    memory_cost = MEMORY_KIB
    time_cost = TIME_COST
    parallelism = PARALLELISM
