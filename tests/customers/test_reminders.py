"""NTF-1 reminders of the customer archive: licence expiry and contacts' birthdays reach the
owner's inbox once, whatever the number of runs; leavers, the pool and deleted records get none."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from qiao.customers import reminders, services
from qiao.customers.tasks import reminders_daily
from qiao.notify.inbox.models import Notification

from ..factories import make_contact, make_customer

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 26)


def titles(user, kind):
    return sorted(Notification.objects.filter(recipient=user, kind=kind).values_list("title", flat=True))


def test_licences_expiring_within_30_days_or_just_expired_are_announced_once(personas):
    am01, director = personas["am01"], personas["director"]
    soon = make_customer(am01, name="许可证将到期商行", licence_expiry=TODAY + timedelta(days=30))
    gone = make_customer(am01, name="许可证已过期商行", licence_expiry=TODAY - timedelta(days=3))
    later = make_customer(am01, name="许可证还早商行", licence_expiry=TODAY + timedelta(days=31))
    make_customer(am01, name="许可证早已过期商行", licence_expiry=TODAY - timedelta(days=31))
    deleted = make_customer(am01, name="已删除商行", licence_expiry=TODAY)
    services.customer_delete(actor=director, customer=deleted)
    make_customer(None, actor=director, region=personas.org.regions[0], name="公海商行",
                  licence_expiry=TODAY)
    assert reminders.licence_expiry_remind(today=TODAY) == 2
    assert reminders.licence_expiry_remind(today=TODAY) == 0  # a second run tells nobody twice
    assert titles(am01, "licence_expiry") == sorted([
        f"{gone.name}的营业执照已于 2026-11-23 到期", f"{soon.name}的营业执照将于 2026-12-26 到期"])
    assert reminders.licence_expiry_remind(today=TODAY + timedelta(days=1)) == 1
    assert Notification.objects.filter(recipient=am01, title__contains=later.name).exists()
    link = Notification.objects.get(recipient=am01, title__contains=soon.name).url
    assert link == f"/customers/{soon.pk}/"


def test_a_renewed_licence_is_announced_again_at_its_new_expiry(personas):
    am01 = personas["am01"]
    customer = make_customer(am01, licence_expiry=TODAY + timedelta(days=5))
    assert reminders.licence_expiry_remind(today=TODAY) == 1
    customer.licence_expiry = TODAY + timedelta(days=365)
    customer.save(update_fields=["licence_expiry"])
    assert reminders.licence_expiry_remind(today=TODAY + timedelta(days=340)) == 1


def test_birthdays_in_the_next_three_days_once_a_year(personas):
    am01, director = personas["am01"], personas["director"]
    customer = personas.customers["am01"][0]
    make_contact(customer, director, name="王总", birthday=date(1975, 11, 29))
    make_contact(customer, director, name="李经理", birthday=date(1980, 11, 30))  # 4 days ahead
    make_contact(customer, director, name="赵主任", birthday=date(1982, 11, 25))  # yesterday
    assert reminders.birthday_remind(today=TODAY) == 1
    assert reminders.birthday_remind(today=TODAY + timedelta(days=1)) == 1  # 李经理 now
    assert reminders.birthday_remind(today=TODAY + timedelta(days=2)) == 0
    assert titles(am01, "birthday") == sorted([f"{customer.name}的李经理 11-30 生日",
                                               f"{customer.name}的王总 11-29 生日"])


def test_new_year_birthdays_and_the_29th_of_february(personas):
    am01, director = personas["am01"], personas["director"]
    customer = personas.customers["am01"][0]
    make_contact(customer, director, name="元旦生日", birthday=date(1990, 1, 1))
    make_contact(customer, director, name="闰日生日", birthday=date(1988, 2, 29))
    assert reminders.birthday_remind(today=date(2026, 12, 30)) == 1
    assert Notification.objects.get(recipient=am01, kind="birthday").key.endswith(":2027")
    assert reminders.birthday_remind(today=date(2027, 2, 26)) == 1  # 2027 has no 29 February


def test_the_daily_task_runs_both_and_a_leaver_gets_nothing(personas):
    leaver, today = personas["leaver"], timezone.localdate()
    make_customer(personas["am01"], licence_expiry=today + timedelta(days=1))
    make_customer(leaver, actor=personas["director"], licence_expiry=today)
    assert reminders_daily.call_local() == 1
    assert not Notification.objects.filter(recipient=leaver).exists()


def test_reminders_are_written_in_the_owners_language(personas):
    am01 = personas["am01"]
    am01.language = "en"
    am01.save(update_fields=["language"])
    customer = make_customer(am01, name="语言测试商行", licence_expiry=TODAY + timedelta(days=2))
    make_customer(personas["am02"], name="中文商行", licence_expiry=TODAY + timedelta(days=2))
    assert reminders.licence_expiry_remind(today=TODAY) == 2
    assert titles(am01, "licence_expiry") == [f"The licence of {customer.name} expires on 2026-11-28"]
    assert titles(personas["am02"], "licence_expiry") == ["中文商行的营业执照将于 2026-11-28 到期"]


def test_a_reminder_reads_in_the_language_of_whoever_reads_it(personas):
    am01 = personas["am01"]
    customer = make_customer(am01, name="双语商行", licence_expiry=TODAY - timedelta(days=2))
    make_contact(customer, personas["director"], name="王总", birthday=date(1975, 11, 27))
    reminders.licence_expiry_remind(today=TODAY)
    reminders.birthday_remind(today=TODAY)

    def read(kind, language):
        with translation.override(language):
            return Notification.objects.get(recipient=am01, kind=kind).display_title

    assert read("licence_expiry", "en") == "The licence of 双语商行 expired on 2026-11-24"
    assert read("birthday", "en") == "王总 of 双语商行 has a birthday on 11-27"
    assert read("licence_expiry", "zh-hans") == "双语商行的营业执照已于 2026-11-24 到期"
    assert read("birthday", "zh-hans") == "双语商行的王总 11-27 生日"
