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


# --- projects --------------------------------------------------------------------------------


def y1_node(code: str = "030401", edition: str = "mp-2566"):
    """A real Y1 target of the shipped hierarchy."""
    from strategy.models import Node

    return Node.objects.get(edition__code=edition, code=code)


class ProjectFactory(factory.django.DjangoModelFactory):
    """A draft project; ``complete_project`` fills it so it can be submitted."""

    class Meta:
        model = "projects.Project"

    agency = factory.SubFactory(AgencyFactory)
    fiscal_year = 2568
    title = factory.Sequence(lambda n: f"โครงการส่งเสริมการแปรรูปผลผลิตทางการเกษตร {n}")
    created_by = factory.SubFactory(UserFactory)


def complete_project(project=None, **kwargs):
    """A draft that passes every submission check: FY 2568 (edition mp-2566), primary link
    to Y1 030401 (สินค้าเกษตรแปรรูป), one KPI, two activities, budget 1,000,000 baht."""
    from datetime import date
    from decimal import Decimal

    from projects.models import KPI, Activity, BudgetLine, StrategyLink

    project = project or ProjectFactory(**kwargs)
    project.responsible_name = "นางสาวสมใจ ใฝ่ดี"
    project.contact_phone = "02 123 4567"
    project.start_date = date(2024, 10, 1)  # 1 ต.ค. 2567, first day of FY 2568
    project.end_date = date(2025, 9, 30)
    project.rationale = "เกษตรกรขาดความรู้ในการแปรรูปผลผลิต ทำให้รายได้ต่ำ"
    project.objectives = "เพื่อเพิ่มมูลค่าสินค้าเกษตรแปรรูปของกลุ่มเกษตรกร"
    project.target_group = "กลุ่มวิสาหกิจชุมชน 50 กลุ่ม"
    project.expected_outcomes = "มูลค่าสินค้าเกษตรแปรรูปเพิ่มขึ้นร้อยละ 10"
    project.total_budget = Decimal("1000000.00")
    project.nationwide = True
    project.save()
    KPI.objects.create(project=project, name="กลุ่มเกษตรกรที่ได้รับการพัฒนา", unit="กลุ่ม",
                       target_value="50")  # fmt: skip
    Activity.objects.create(project=project, order=1, name="อบรมการแปรรูป", budget=Decimal(600000),
                            start_date=date(2024, 11, 1), end_date=date(2025, 3, 31))  # fmt: skip
    Activity.objects.create(project=project, order=2, name="ตลาดนัดสินค้าแปรรูป",
                            budget=Decimal(400000), start_date=date(2025, 4, 1),
                            end_date=date(2025, 8, 31))  # fmt: skip
    BudgetLine.objects.create(project=project, source="state", fiscal_year=2568,
                              amount=Decimal("1000000.00"))  # fmt: skip
    StrategyLink.objects.create(project=project, node=y1_node(), is_primary=True)
    return project
