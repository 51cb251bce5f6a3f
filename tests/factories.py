"""Factories shared by every test package: areas, users, children, visits.

Users get an unusable password by default (Argon2 hashing is deliberately
slow); tests that log in through the form set one with ``set_password``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password

from posyandu.accounts.models import Role, User
from posyandu.areas.models import Kecamatan, Kelurahan, Kota, Posyandu, Puskesmas
from posyandu.children.models import Child, Sex
from posyandu.children.signals import child_write
from posyandu.measurements.models import Visit
from posyandu.measurements.services import VisitValues, record_visit


class KotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kota
        django_get_or_create = ("code",)

    code = "64.74"
    name = "Bontang"


class KecamatanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kecamatan

    kota = factory.SubFactory(KotaFactory)
    code = factory.Sequence(lambda n: f"64.74.{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Kecamatan {n}")


class KelurahanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kelurahan

    kecamatan = factory.SubFactory(KecamatanFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.kecamatan.code}.{1001 + n}")
    name = factory.Sequence(lambda n: f"Kelurahan {n}")


class PuskesmasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Puskesmas

    kota = factory.SubFactory(KotaFactory)
    code = factory.Sequence(lambda n: f"PKM{n:03d}")
    name = factory.Sequence(lambda n: f"Puskesmas {n}")


class PosyanduFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Posyandu

    code = factory.Sequence(lambda n: f"PSY{n:04d}")
    name = factory.Sequence(lambda n: f"Posyandu Mawar {n}")
    kelurahan = factory.SubFactory(KelurahanFactory)
    puskesmas = factory.SubFactory(
        PuskesmasFactory, kota=factory.SelfAttribute("..kelurahan.kecamatan.kota")
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: make_password(None))
    role = Role.ADMIN


def kader_of(posyandu: Posyandu, **kwargs: object) -> User:
    return UserFactory(role=Role.KADER, posyandu=posyandu, **kwargs)


def bidan_of(puskesmas: Puskesmas, **kwargs: object) -> User:
    return UserFactory(role=Role.BIDAN, puskesmas=puskesmas, **kwargs)


def dinkes_of(kota: Kota, **kwargs: object) -> User:
    return UserFactory(role=Role.DINKES, kota=kota, **kwargs)


class ChildFactory(factory.django.DjangoModelFactory):
    """A child in any state a test needs (also past 60 months, or died), stored
    as a registry write is: the watchers of child writes (the monthly
    aggregates) follow it as they follow ``register_child``."""

    class Meta:
        model = Child

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Child:
        with child_write(None) as write:
            child: Child = super()._create(model_class, *args, **kwargs)
            write.child_id = child.pk
        return child

    name = factory.Sequence(lambda n: f"Anak Ke {n}")
    sex = Sex.FEMALE
    birth_date = dt.date(2024, 1, 15)
    mother_name = factory.Sequence(lambda n: f"Ibu Ke {n}")
    posyandu = factory.SubFactory(PosyanduFactory)
    kelurahan = factory.SelfAttribute("posyandu.kelurahan")


@dataclass
class City:
    """Two Puskesmas in one kota, each with Posyandu, and one Posyandu in another kota."""

    kota: Kota
    puskesmas_a: Puskesmas
    puskesmas_b: Puskesmas
    posyandu_a: Posyandu
    posyandu_a2: Posyandu
    posyandu_b: Posyandu
    other_kota_posyandu: Posyandu


def make_city() -> City:
    kota = KotaFactory(code="64.74", name="Bontang")
    utara = KecamatanFactory(kota=kota, code="64.74.01", name="Bontang Utara")
    selatan = KecamatanFactory(kota=kota, code="64.74.02", name="Bontang Selatan")
    kuala = KelurahanFactory(kecamatan=utara, code="64.74.01.1001", name="Bontang Kuala")
    tanjung = KelurahanFactory(kecamatan=selatan, code="64.74.02.1001", name="Tanjung Laut")
    pkm_a = PuskesmasFactory(kota=kota, code="PKM-BU", name="Puskesmas Bontang Utara I")
    pkm_a.kelurahan.add(kuala)
    pkm_b = PuskesmasFactory(kota=kota, code="PKM-BS", name="Puskesmas Bontang Selatan I")
    pkm_b.kelurahan.add(tanjung)
    other_kota = KotaFactory(code="64.72", name="Samarinda")
    other_kec = KecamatanFactory(kota=other_kota, code="64.72.01", name="Palaran")
    other_kel = KelurahanFactory(kecamatan=other_kec, code="64.72.01.1001", name="Rawa Makmur")
    return City(
        kota=kota,
        puskesmas_a=pkm_a,
        puskesmas_b=pkm_b,
        posyandu_a=PosyanduFactory(
            code="PSY-A", name="Posyandu Melati", kelurahan=kuala, puskesmas=pkm_a
        ),
        posyandu_a2=PosyanduFactory(
            code="PSY-A2", name="Posyandu Kenanga", kelurahan=kuala, puskesmas=pkm_a
        ),
        posyandu_b=PosyanduFactory(
            code="PSY-B", name="Posyandu Anggrek", kelurahan=tanjung, puskesmas=pkm_b
        ),
        other_kota_posyandu=PosyanduFactory(
            code="PSY-X",
            name="Posyandu Samarinda",
            kelurahan=other_kel,
            puskesmas=PuskesmasFactory(kota=other_kota, code="PKM-X", name="Puskesmas Palaran"),
        ),
    )


def factory_user() -> User:
    """The user that factories record visits as (an administrator: no area limits)."""
    return UserFactory(username="factory_admin", role=Role.ADMIN)


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class VisitFactory(factory.Factory):
    """A visit saved through the app's own service (``record_visit``).

    Age, z-scores, flags, Permenkes categories, N/T/O/B, 2T and BGM are
    derived exactly as when a kader saves the form, so a test can never hold
    a visit the engine would not produce. Implausible values are confirmed.
    """

    class Meta:
        model = Visit

    child = factory.SubFactory(ChildFactory)
    measured_on = dt.date(2024, 6, 15)
    weight_kg: object = None
    height_cm: object = None
    position = ""
    head_cm: object = None
    muac_cm: object = None
    oedema = False
    vitamin_a = False
    pmt_received = False
    pmt_kg: object = None
    kpsp = ""

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Visit:
        user = kwargs.pop("user", None) or factory_user()
        child = kwargs.pop("child")
        session = kwargs.pop("session", None)
        posyandu = kwargs.pop("posyandu", None)
        for name in ("weight_kg", "height_cm", "head_cm", "muac_cm", "pmt_kg"):
            kwargs[name] = _decimal(kwargs.get(name))
        return record_visit(
            user=user,  # type: ignore[arg-type]
            child=child,  # type: ignore[arg-type]
            values=VisitValues(**kwargs),  # type: ignore[arg-type]
            session=session,  # type: ignore[arg-type]
            posyandu=posyandu,  # type: ignore[arg-type]
            confirm_warnings=True,
        )


def make_visit(child: Child, measured_on: dt.date, **values: object) -> Visit:
    """A stored visit of ``child`` on ``measured_on``, through the app's service."""
    return VisitFactory(child=child, measured_on=measured_on, **values)  # type: ignore[no-any-return]
