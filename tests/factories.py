"""factory-boy factories with Faker's pl_PL data and valid identifiers."""

from __future__ import annotations

import datetime as dt
import random

import factory
from faker import Faker

from keyclusters.accounts.models import User
from keyclusters.registry.models import Cluster, Membership, MembershipRole, Organisation

_fake = Faker("pl_PL")


def valid_nip(rng: random.Random | None = None) -> str:
    """A random NIP with a correct checksum (weights 6,5,7,2,3,4,5,6,7; check digit != 10)."""
    rng = rng or random
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def valid_regon(rng: random.Random | None = None) -> str:
    rng = rng or random
    weights = (8, 9, 2, 3, 4, 5, 6, 7)
    digits = [rng.randint(0, 9) for _ in range(8)]
    check = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.LazyFunction(lambda: _fake.company())
    nip = factory.LazyFunction(valid_nip)
    regon = factory.LazyFunction(valid_regon)
    kind = "enterprise"
    size = "small"
    voivodeship = "mazowieckie"
    city = factory.LazyFunction(lambda: _fake.city())
    country = "PL"


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Klaster {n}")
    specialisation = "ICT"
    founded_on = dt.date(2012, 3, 1)
    coordinator = factory.SubFactory(OrganisationFactory, kind="business-support", size="")
    voivodeship = "mazowieckie"

    @factory.post_generation
    def coordinator_membership(self, create, extracted, **kwargs):
        if create:
            Membership.objects.create(
                cluster=self,
                organisation=self.coordinator,
                role=MembershipRole.COORDINATOR,
                joined_on=self.founded_on,
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cluster = factory.SubFactory(ClusterFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MEMBER
    joined_on = dt.date(2015, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            from django.contrib.auth.models import Group

            for role in extracted:
                self.groups.add(Group.objects.get(name=str(role)))
