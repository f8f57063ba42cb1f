"""Demo agencies and one user per role. Agency names are real; codes follow the shape of the
budget bureau's (ministry 2 digits, department 5, unit 8) but are illustrative only.
Strategy rows are never invented: the demo loads the shipped public hierarchy as it is."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from agencies.models import Agency, Membership

K = Agency.Kind
R = Membership.Role
DEMO_PASSWORD = "demo-emenscr-2569"  # noqa: S105 -- published demo password, README lists it

# (code, parent code, kind, Thai name, English name, abbreviation)
AGENCIES: list[tuple[str, str | None, str, str, str, str]] = [
    ("01", None, K.MINISTRY, "สำนักนายกรัฐมนตรี", "Office of the Prime Minister", "สร."),
    ("01010", "01", K.DEPARTMENT, "สำนักงานสภาพัฒนาการเศรษฐกิจและสังคมแห่งชาติ",
     "Office of the National Economic and Social Development Council", "สศช."),
    ("07", None, K.MINISTRY, "กระทรวงเกษตรและสหกรณ์", "Ministry of Agriculture and Cooperatives",
     "กษ."),
    ("07003", "07", K.DEPARTMENT, "กรมส่งเสริมการเกษตร", "Department of Agricultural Extension",
     "กสก."),
    ("07003001", "07003", K.UNIT, "กองแผนงาน กรมส่งเสริมการเกษตร",
     "Planning Division, Department of Agricultural Extension", ""),
    ("07004", "07", K.DEPARTMENT, "กรมชลประทาน", "Royal Irrigation Department", "ชป."),
    ("07900", "07", K.STATE_ENTERPRISE, "การยางแห่งประเทศไทย", "Rubber Authority of Thailand",
     "กยท."),
    ("21", None, K.MINISTRY, "กระทรวงสาธารณสุข", "Ministry of Public Health", "สธ."),
    ("21002", "21", K.DEPARTMENT, "กรมอนามัย", "Department of Health", "อ."),
    ("21003", "21", K.DEPARTMENT, "กรมควบคุมโรค", "Department of Disease Control", "คร."),
    ("15", None, K.MINISTRY, "กระทรวงมหาดไทย", "Ministry of Interior", "มท."),
    ("15050", "15", K.PROVINCE, "จังหวัดเชียงใหม่", "Chiang Mai Province", "ชม."),
    ("15051", "15", K.PROVINCE, "จังหวัดขอนแก่น", "Khon Kaen Province", "ขก."),
    ("90001", None, K.INDEPENDENT, "สำนักงานการตรวจเงินแผ่นดิน", "Office of the Auditor General",
     "สตง."),
]  # fmt: skip


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    agency: str
    role: str
    is_staff: bool = False  # may open the admin site


USERS = [
    DemoUser("admin", "ผู้ดูแล", "ระบบ", "01010", R.ADMIN, is_staff=True),
    DemoUser("analyst", "วิเคราะห์", "ส่วนกลาง", "01010", R.ANALYST),
    DemoUser("ministry_approver", "อนุมัติ", "ระดับกระทรวง", "07", R.MINISTRY_APPROVER),
    DemoUser("agency_approver", "อนุมัติ", "ระดับกรม", "07003", R.AGENCY_APPROVER),
    DemoUser("staff", "บันทึก", "ข้อมูล", "07003", R.STAFF),
    DemoUser("staff_health", "บันทึก", "กรมอนามัย", "21002", R.STAFF),
]


@transaction.atomic
def load_agencies() -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for code, parent, kind, name_th, name_en, abbr in AGENCIES:
        agency, _ = Agency.objects.update_or_create(
            code=code,
            defaults={
                "parent": agencies.get(parent) if parent else None,
                "kind": kind,
                "name_th": name_th,
                "name_en": name_en,
                "abbreviation": abbr,
            },
        )
        agencies[code] = agency
    return agencies


@transaction.atomic
def load_users() -> list[DemoUser]:
    """Create the demo users with the demo password; existing ones keep their password."""
    user_model = get_user_model()
    agencies = {a.code: a for a in Agency.objects.all()}
    for demo in USERS:
        user, created = user_model.objects.get_or_create(
            username=demo.username,
            defaults={"first_name": demo.first_name, "last_name": demo.last_name,
                      "is_staff": demo.is_staff, "email": f"{demo.username}@demo.emenscr.local"},
        )  # fmt: skip
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, agency=agencies[demo.agency], role=demo.role)
    _grant_admin_site(user_model.objects.get(username="admin"))
    return USERS


def _grant_admin_site(user) -> None:
    """The demo admin manages strategy data and agencies in the admin site (not a superuser:
    the access policy, not Django's superuser flag, decides what an admin may touch)."""
    from django.contrib.auth.models import Permission

    perms = Permission.objects.filter(content_type__app_label__in=["strategy", "agencies"])
    perms = perms | Permission.objects.filter(
        content_type__app_label="auth", codename__in=["view_user", "add_user", "change_user"]
    )
    user.user_permissions.add(*perms)
