"""Scope first (house rule 4): what a user may read, and what they may change.

``Scope.of(user)`` answers both questions in one place, and every selector
takes a scope:

- **read**: the Posyandu of the user's area (a kader's own; the Puskesmas'
  for bidan, tenaga gizi and Puskesmas admin; the kota for Dinkes;
  everything for an administrator). Anything outside answers 404.
- **write**: a role's capabilities (:data:`CAPABILITIES`) within that same
  area. A user who may read an object but not change it gets 403.
"""

from __future__ import annotations

import enum
from functools import cached_property
from typing import Final

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from posyandu.accounts.models import PUSKESMAS_ROLES, Role, User
from posyandu.areas.hierarchy import Area, Level, UnknownArea, area_by_key, area_q
from posyandu.areas.models import Kelurahan, Kota, Posyandu, Puskesmas


class Capability(enum.StrEnum):
    """What a role may change (always within its area)."""

    REGISTRY_WRITE = "registry.write"
    """Register a child, correct its data, mark it moved or died."""
    REGISTRY_TRANSFER = "registry.transfer"
    """Move a child to another Posyandu (the Puskesmas decides, not the kader)."""
    VISITS_WRITE = "visits.write"
    """Open a Posyandu day, record, correct and delete visits."""
    POSYANDU_MANAGE = "posyandu.manage"
    USERS_MANAGE = "users.manage"
    CAMPAIGNS_MANAGE = "campaigns.manage"
    TRAININGS_MANAGE = "trainings.manage"
    KADER_ASSESS = "kader.assess"
    """Assess kader skills, award competence pins, confirm a training's skills."""
    POLICY_MANAGE = "policy.manage"
    AUDIT_READ = "audit.read"
    DATA_EXPORT = "data.export"
    """Download personal data of the area as a file (e-PPGBM)."""
    DATA_IMPORT = "data.import"
    """Import children and measurements of the area from a file (e-PPGBM)."""
    AREAS_IMPORT = "areas.import"


_FIELD_WORK: Final = frozenset(
    {
        Capability.REGISTRY_WRITE,
        Capability.REGISTRY_TRANSFER,
        Capability.VISITS_WRITE,
        Capability.KADER_ASSESS,
    }
)

CAPABILITIES: Final[dict[Role, frozenset[Capability]]] = {
    Role.KADER: frozenset({Capability.REGISTRY_WRITE, Capability.VISITS_WRITE}),
    Role.BIDAN: _FIELD_WORK,
    Role.TENAGA_GIZI: _FIELD_WORK,
    Role.PUSKESMAS: frozenset(
        {
            Capability.POSYANDU_MANAGE,
            Capability.KADER_ASSESS,
            Capability.USERS_MANAGE,
            Capability.DATA_EXPORT,
            Capability.DATA_IMPORT,
        }
    ),
    Role.DINKES: frozenset(
        {
            Capability.CAMPAIGNS_MANAGE,
            Capability.TRAININGS_MANAGE,
            Capability.POLICY_MANAGE,
            Capability.AUDIT_READ,
            Capability.USERS_MANAGE,
            Capability.DATA_EXPORT,
            Capability.DATA_IMPORT,
        }
    ),
    Role.ADMIN: frozenset(Capability),
}
"""The real rights of each role: kader write their own Posyandu's registry and
visits; bidan and tenaga gizi write within their Puskesmas area (and move
children between Posyandu); Puskesmas staff assess their kader's skills; the
Puskesmas admin manages its Posyandu (and their kader) and users; Dinkes reads
the city and manages campaigns, trainings and policy; the administrator
manages the system."""


ASSIGNABLE_ROLES: Final[dict[Role, tuple[Role, ...]]] = {
    Role.PUSKESMAS: (Role.KADER, Role.BIDAN, Role.TENAGA_GIZI),
    Role.DINKES: (Role.KADER, Role.BIDAN, Role.TENAGA_GIZI, Role.PUSKESMAS, Role.DINKES),
    Role.ADMIN: tuple(Role),
}
"""The roles whose logins each managing role creates and manages (always within
its area): a Puskesmas its kader, bidan and tenaga gizi, never a Dinkes or an
administrator; a Dinkes everyone of its kota but administrators."""


class Scope:
    """The area and rights of one user (an anonymous user has none)."""

    def __init__(self, user: User | AnonymousUser | None, *, system: bool = False) -> None:
        self.user: User | None = user if isinstance(user, User) and user.is_active else None
        self.system = system

    @classmethod
    def of(cls, user: User | AnonymousUser | None) -> Scope:
        return cls(user)

    @classmethod
    def for_command_line(cls) -> Scope:
        """Everything, as the administrator of the machine running ``posyandu``
        commands on its own database (no user: audited as the system)."""
        return cls(None, system=True)

    @property
    def role(self) -> Role | None:
        if self.system:
            return Role.ADMIN
        if self.user is None:
            return None
        if self.user.is_superuser:
            return Role.ADMIN
        return Role(self.user.role)

    @property
    def is_system_wide(self) -> bool:
        return self.role == Role.ADMIN

    # --- reads -----------------------------------------------------------------

    def posyandu(self) -> QuerySet[Posyandu]:
        """The Posyandu the user works with."""
        qs = Posyandu.objects.all()
        user, role = self.user, self.role
        if role == Role.ADMIN:
            return qs
        if user is None or role is None:
            return qs.none()
        if role == Role.KADER:
            return qs.filter(pk=user.posyandu_id) if user.posyandu_id else qs.none()
        if role in PUSKESMAS_ROLES:
            return qs.filter(puskesmas_id=user.puskesmas_id) if user.puskesmas_id else qs.none()
        if role == Role.DINKES:
            return (
                qs.filter(kelurahan__kecamatan__kota_id=user.kota_id) if user.kota_id else qs.none()
            )
        return qs.none()

    @cached_property
    def posyandu_ids(self) -> frozenset[int]:
        return frozenset(self.posyandu().values_list("pk", flat=True))

    def puskesmas(self) -> QuerySet[Puskesmas]:
        qs = Puskesmas.objects.all()
        user, role = self.user, self.role
        if role == Role.ADMIN:
            return qs
        if user is None or role is None:
            return qs.none()
        if role == Role.DINKES:
            return qs.filter(kota_id=user.kota_id) if user.kota_id else qs.none()
        if role in PUSKESMAS_ROLES:
            return qs.filter(pk=user.puskesmas_id) if user.puskesmas_id else qs.none()
        return qs.filter(pk__in=self.posyandu().values("puskesmas_id"))

    def kelurahan(self) -> QuerySet[Kelurahan]:
        """Kelurahan in which the user's Posyandu lie (for address pickers)."""
        return Kelurahan.objects.filter(pk__in=self.posyandu().values("kelurahan_id"))

    def kota(self) -> QuerySet[Kota]:
        if self.is_system_wide:
            return Kota.objects.all()
        return Kota.objects.filter(pk__in=self.posyandu().values("kelurahan__kecamatan__kota_id"))

    def may_read_posyandu(self, posyandu_id: int | None) -> bool:
        return posyandu_id is not None and posyandu_id in self.posyandu_ids

    def require_read(self, posyandu_id: int | None) -> None:
        """404 unless the Posyandu is in the user's area."""
        if not self.may_read_posyandu(posyandu_id):
            raise Http404

    # --- rights -----------------------------------------------------------------

    def may(self, capability: Capability) -> bool:
        role = self.role
        return role is not None and capability in CAPABILITIES[role]

    def require(self, capability: Capability) -> None:
        """403 unless the role has ``capability`` (for pages without an object)."""
        if not self.may(capability):
            raise PermissionDenied

    def hide_unless(self, capability: Capability) -> None:
        """404 unless the role has ``capability``: role-gated pages stay hidden
        from other roles, as out-of-area objects are."""
        if not self.may(capability):
            raise Http404

    def may_write(self, capability: Capability, posyandu_id: int | None) -> bool:
        return self.may(capability) and self.may_read_posyandu(posyandu_id)

    def require_write(self, capability: Capability, posyandu_id: int | None) -> None:
        """404 outside the area, 403 inside it for a role without ``capability``."""
        self.require_read(posyandu_id)
        self.require(capability)

    def posyandu_q(self, prefix: str = "") -> Q:
        """:meth:`posyandu` as a condition on joins (``prefix`` reaches the Posyandu
        from another model, e.g. ``"posyandu__"``)."""
        user, role = self.user, self.role
        if role == Role.ADMIN:
            return Q()
        nothing = Q(**{f"{prefix}id__in": []})
        if user is None or role is None:
            return nothing
        if role == Role.KADER:
            return Q(**{f"{prefix}id": user.posyandu_id}) if user.posyandu_id else nothing
        if role in PUSKESMAS_ROLES:
            return (
                Q(**{f"{prefix}puskesmas_id": user.puskesmas_id}) if user.puskesmas_id else nothing
            )
        if role == Role.DINKES and user.kota_id:
            return Q(**{f"{prefix}kelurahan__kecamatan__kota_id": user.kota_id})
        return nothing

    def rows_in(self, area: Area, prefix: str = "posyandu__") -> Q:
        """Rows (of a model reaching Posyandu by ``prefix``) of ``area`` that the user
        may see, as plain joins (a city of 10,000 Posyandu stays fast); 404 when the
        user sees no Posyandu of the area."""
        if not Posyandu.objects.filter(area_q(area) & self.posyandu_q()).exists():
            raise Http404
        return area_q(area, prefix) & self.posyandu_q(prefix)

    def area_asked(self, key: str | None) -> Area:
        """The area a page is asked for (``?wilayah=level:pk``), or the user's home
        area when none is; 404 for a key naming no area (reading it then goes
        through :meth:`rows_in`, 404 again outside the user's area)."""
        if not key:
            home = self.home_area()
            if home is None:
                raise Http404
            return home
        try:
            return area_by_key(key)
        except UnknownArea:
            raise Http404 from None

    def home_area(self) -> Area | None:
        """The area the user's reports open on: its Posyandu, its Puskesmas, its kota
        (an administrator: the first kota)."""
        user, role = self.user, self.role
        if user is None or role is None:
            return None
        if role == Role.KADER and user.posyandu_id:
            return area_by_key(f"{Level.POSYANDU}:{user.posyandu_id}")
        if role in PUSKESMAS_ROLES and user.puskesmas_id:
            return area_by_key(f"{Level.PUSKESMAS}:{user.puskesmas_id}")
        if role == Role.DINKES and user.kota_id:
            return area_by_key(f"{Level.KOTA}:{user.kota_id}")
        kota = self.kota().order_by("code").first()
        return area_by_key(f"{Level.KOTA}:{kota.pk}") if kota is not None else None

    def assignable_roles(self) -> tuple[Role, ...]:
        """The roles whose logins the user manages (none without ``USERS_MANAGE``)."""
        role = self.role
        if role is None or not self.may(Capability.USERS_MANAGE):
            return ()
        return ASSIGNABLE_ROLES.get(role, ())

    def writable_posyandu(self, capability: Capability) -> QuerySet[Posyandu]:
        """The Posyandu where the user may do ``capability`` (empty if the role may not)."""
        return self.posyandu() if self.may(capability) else Posyandu.objects.none()
