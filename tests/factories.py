"""Factories for users, agencies and memberships. Strategy rows come from the real shipped
data (loaded once per test session), never from factories."""

import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, Membership

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "ทดสอบ"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.go.th")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"9{n:04d}")
    name_th = factory.Sequence(lambda n: f"หน่วยงานทดสอบ {n}")
    kind = Agency.Kind.DEPARTMENT


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.STAFF


def member(role: str, agency: Agency, **user_kwargs):
    """A new user holding ``role`` in ``agency``."""
    return MembershipFactory(role=role, agency=agency, user=UserFactory(**user_kwargs)).user
