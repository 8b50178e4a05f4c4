"""Roster import and invitations (exercises/courses/services/roster.py, selectors/invitations.py,
views/invitations.py): issue 9, finding 2 — an import invites and never enrols, replies alike for
existing and missing usernames, is capped, emails each invitee in both languages; the invitee
accepts or declines; staff see name and email only after a yes; a student can leave."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from exercises.courses import tasks
from exercises.courses.permissions import role_in
from exercises.courses.selectors import gradebook as gradebook_selectors
from exercises.courses.selectors import invitations as invitation_selectors
from exercises.courses.services import roster as roster_services
from exercises.models import Invitation, Membership

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from homework_support import make_user  # noqa: E402

pytest_plugins = ["homework_support"]

pytestmark = pytest.mark.django_db

User = get_user_model()
BASE = "http://testserver"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def import_rows(course, instructor, text: str, django_capture_on_commit_callbacks) -> roster_services.RosterResult:
    with django_capture_on_commit_callbacks(execute=True):
        return roster_services.roster_import(course=course, actor=instructor, csv_text=text, base_url=BASE)


# --------------------------------------------------------------------------------- the import


def test_an_import_enrols_nobody_it_invites(course, instructor, django_capture_on_commit_callbacks):
    """Finding 2: an existing account was enrolled by username alone, without its consent."""
    victim = make_user("victim", first_name="Vic", last_name="Tim")
    result = import_rows(course, instructor, "victim,attacker@example.org,Whoever\n", django_capture_on_commit_callbacks)
    assert result.invited == 1 and role_in(course=course, user=victim) is None
    invitation = Invitation.objects.get(course=course, user=victim)
    assert invitation.status == "pending" and not invitation.created_account and invitation.invited_by == instructor
    victim.refresh_from_db()  # the import never touches an existing account
    assert (victim.email, victim.first_name) == ("victim@example.org", "Vic")
    # Staff see neither the name nor the email: not on the roster, gradebook, CSV or API.
    page = client_for(instructor).get(reverse("exercises:course", args=[course.pk])).content.decode()
    assert "victim@example.org" not in page and "Vic Tim" not in page and 'data-user="victim"' in page
    assert gradebook_selectors.gradebook(course=course).rows == []
    assert "victim" not in gradebook_selectors.gradebook_csv(course=course)
    api = client_for(instructor).get(f"/api/courses/{course.pk}/gradebook").json()
    assert "victim" not in str(api)


def test_the_reply_is_the_same_for_existing_and_missing_usernames(course, instructor, other_course,
                                                                   other_instructor, django_capture_on_commit_callbacks):
    """Finding 2: "2 enrolled, 1 new accounts" told existing usernames from missing ones."""
    make_user("dave")
    replies = []
    for target, actor, name in ((course, instructor, "dave"), (other_course, other_instructor, "nobody_yet")):
        response = client_for(actor).post(reverse("exercises:roster_import", args=[target.pk]),
                                          {"csv_text": f"{name},{name}@example.org,Some One\n"}, follow=True)
        flash = re.search(r'<li class="flash flash-success">(.*?)</li>', response.content.decode()).group(1)
        replies.append(flash)
    assert replies[0] == replies[1] and "Invitations sent: 1." in replies[0]
    assert User.objects.filter(username="nobody_yet").exists()


def test_good_and_bad_rows(course, instructor, ta, alice, django_capture_on_commit_callbacks):
    make_user("dave")
    csv_text = (
        "username,email,name\n"
        "erin,erin@example.org,Erin Brockovich\n"
        "dave,dave@example.org,Dave\n"          # existing account: invited, not created
        "alice_s,alice@example.org,Alice\n"     # already a student: nothing to do
        "ta,ta@example.org,The TA\n"            # staff: stays staff (error)
        "bad name!,x@example.org,Bad\n"         # invalid username
        "frank,not-an-email,Frank\n"            # invalid email
        "erin,erin@example.org,Erin again\n"    # twice
        "gina,,Gina\n"                          # no email is fine
        "a,b,c,d\n"                             # too many columns
        "\n"
    )
    result = import_rows(course, instructor, csv_text, django_capture_on_commit_callbacks)
    assert (result.invited, result.unchanged, len(result.errors)) == (3, 1, 5)
    for line in (5, 6, 7, 8, 10):
        assert any(f"Line {line}" in e for e in result.errors), line
    erin = User.objects.get(username="erin")
    assert erin.email == "erin@example.org" and (erin.first_name, erin.last_name) == ("Erin", "Brockovich")
    assert not erin.has_usable_password()
    created = dict(Invitation.objects.filter(course=course).values_list("user__username", "created_account"))
    assert created == {"erin": True, "dave": False, "gina": True}
    # A second import of the same rows changes nothing and sends nothing.
    mail.outbox.clear()
    again = import_rows(course, instructor, csv_text, django_capture_on_commit_callbacks)
    assert (again.invited, again.unchanged) == (0, 4) and mail.outbox == []


def test_messages_are_translated_and_the_size_is_limited(course, instructor):
    with translation.override("zh-hans"):
        result = roster_services.roster_import(course=course, actor=instructor, csv_text="bad name!,x@example.org,X\n")
        assert len(result.errors) == 1 and "bad name!" in result.errors[0] and "第" in result.errors[0]
        with pytest.raises(ValidationError) as too_many:
            roster_services.roster_import(course=course, actor=instructor, csv_text="a1,,\n" * 5001)
        assert "行" in str(too_many.value)
    with pytest.raises(ValidationError):
        roster_services.roster_import(course=course, actor=instructor, csv_text="x" * 1_000_001)


def test_invitations_are_capped_per_import_and_per_day(course, instructor, settings):
    """Finding 2: one request created 5,000 password-less accounts."""
    settings.BPCOURSE_INVITATIONS_PER_IMPORT = 3
    settings.BPCOURSE_INVITATIONS_PER_DAY = 5
    rows = "".join(f"user{i},,\n" for i in range(4))
    with pytest.raises(ValidationError) as per_import:
        roster_services.roster_import(course=course, actor=instructor, csv_text=rows)
    assert per_import.value.error_dict["csv_text"][0].code == "too_many_invitations"
    assert not User.objects.filter(username__startswith="user").exists() and not Invitation.objects.exists()
    assert roster_services.roster_import(course=course, actor=instructor, csv_text="a1,,\na2,,\na3,,\n").invited == 3
    with pytest.raises(ValidationError) as per_day:
        roster_services.roster_import(course=course, actor=instructor, csv_text="b1,,\nb2,,\nb3,,\n")
    assert per_day.value.error_dict["csv_text"][0].code == "daily_invitations"
    assert "2" in str(per_day.value)  # left today
    assert Invitation.objects.count() == 3 and not User.objects.filter(username__startswith="b").exists()


def test_the_default_caps_refuse_five_thousand_accounts(course, instructor):
    rows = "".join(f"s{i},,\n" for i in range(5000))
    with pytest.raises(ValidationError):
        roster_services.roster_import(course=course, actor=instructor, csv_text=rows)
    assert not User.objects.filter(username__startswith="s").exclude(username="student").exists()


def test_a_concurrent_import_is_a_message_not_a_crash(course, instructor, monkeypatch):
    def taken(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: invitation_unique")

    monkeypatch.setattr(Invitation.objects, "create", taken)
    with pytest.raises(ValidationError) as exc:
        roster_services.roster_import(course=course, actor=instructor, csv_text="newbie,,\n")
    assert exc.value.code == "conflict"
    assert not User.objects.filter(username="newbie").exists()  # rolled back whole


# -------------------------------------------------------------------------------------- email


def test_a_new_account_gets_a_one_time_set_password_link(client, course, instructor,
                                                          django_capture_on_commit_callbacks):
    import_rows(course, instructor, "newbie,newbie@example.org,New Bie\n", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@example.org"] and course.title in message.subject
    assert "邀请" in message.subject and "邀请" in message.body and "invited" in message.body  # both languages
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200 and 'name="new_password1"' in page.content.decode()
    confirm = page.redirect_chain[-1][0]
    done = client.post(confirm, {"new_password1": "a fine pass 42", "new_password2": "a fine pass 42"})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert client.login(username="newbie", password="a fine pass 42")
    # One-time: the same link no longer works.
    client.logout()
    assert 'name="new_password1"' not in Client().get(link, follow=True).content.decode()


def test_an_existing_account_is_told_at_its_own_address_and_gets_no_password_link(
        course, instructor, django_capture_on_commit_callbacks):
    make_user("dave")
    import_rows(course, instructor, "dave,attacker@example.org,Dave\n", django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["dave@example.org"]]
    body = mail.outbox[0].body
    assert "/accounts/reset/" not in body and "http://testserver/courses/" in body


def test_links_csv_for_staff_who_hand_links_out(course, instructor, django_capture_on_commit_callbacks):
    User.objects.create_user(username="dave", password="pw-dave-123456")  # no email address
    import_rows(course, instructor, "dave,,\n+newbie,,\n", django_capture_on_commit_callbacks)
    assert mail.outbox == []  # nobody has an address to write to
    response = client_for(instructor).get(reverse("exercises:invitation_links_csv", args=[course.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Username", "Link"]
    links = dict(rows[1:])
    assert links["dave"] == "http://testserver/courses/"
    assert links["'+newbie"].startswith("http://testserver/accounts/reset/")  # a formula is neutralised


def test_a_broker_failure_does_not_fail_the_import(course, instructor, django_capture_on_commit_callbacks,
                                                    monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_invitations_task, "delay", down)
    result = import_rows(course, instructor, "newbie,newbie@example.org,\n", django_capture_on_commit_callbacks)
    assert result.invited == 1 and mail.outbox == [] and "not sent" in caplog.text


# --------------------------------------------------------------------------------- answering


def test_accepting_makes_a_member_and_shows_name_and_email(course, instructor, django_capture_on_commit_callbacks):
    dave = make_user("dave", first_name="Dave", last_name="Diver")
    import_rows(course, instructor, "dave,,\n", django_capture_on_commit_callbacks)
    client = client_for(dave)
    page = client.get(reverse("exercises:courses")).content.decode()
    invitation = Invitation.objects.get(user=dave)
    assert course.title in page and reverse("exercises:invitation_accept", args=[invitation.pk]) in page
    response = client.post(reverse("exercises:invitation_accept", args=[invitation.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("exercises:course", args=[course.pk])
    assert role_in(course=course, user=dave) == "student"
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.answered_at is not None
    assert 'id="invitations"' not in client.get(reverse("exercises:courses")).content.decode()
    # Now the staff see who it is.
    assert "dave@example.org" in gradebook_selectors.gradebook_csv(course=course)
    staff_page = client_for(instructor).get(reverse("exercises:course", args=[course.pk])).content.decode()
    assert "dave@example.org" in staff_page and "Dave Diver" in staff_page
    # Answering twice: the invitation is no longer waiting (404), the service says so.
    assert client.post(reverse("exercises:invitation_accept", args=[invitation.pk])).status_code == 404
    with pytest.raises(ValidationError):
        roster_services.invitation_accept(invitation=invitation, user=dave)


def test_declining_keeps_the_person_out_and_a_new_import_does_not_ask_again(course, instructor,
                                                                           django_capture_on_commit_callbacks):
    dave = make_user("dave")
    import_rows(course, instructor, "dave,,\n", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(user=dave)
    assert client_for(dave).post(reverse("exercises:invitation_decline", args=[invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "declined" and role_in(course=course, user=dave) is None
    assert invitation_selectors.invitations_for_user(user=dave) == []
    again = import_rows(course, instructor, "dave,,\n", django_capture_on_commit_callbacks)
    assert (again.invited, again.unchanged) == (0, 1)
    assert invitation_selectors.course_invitations(course=course) == [("dave", "declined")]


def test_a_student_can_leave_a_course(course, alice, instructor):
    """Finding 2: the victim could not leave the course."""
    client = client_for(alice)
    page = client.get(reverse("exercises:course", args=[course.pk])).content.decode()
    leave = reverse("exercises:course_leave", args=[course.pk])
    assert f'action="{leave}"' in page
    response = client.post(leave)
    assert response.status_code == 302 and response["Location"] == reverse("exercises:courses")
    assert role_in(course=course, user=alice) is None
    assert "alice_s" not in gradebook_selectors.gradebook_csv(course=course)
    assert client.get(reverse("exercises:course", args=[course.pk])).status_code == 404
    assert not Membership.objects.filter(course=course, user=alice).exists()


def test_invitation_pages_in_chinese(course, instructor, django_capture_on_commit_callbacks):
    dave = make_user("dave")
    import_rows(course, instructor, "dave,,\n", django_capture_on_commit_callbacks)
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}
    html = client_for(dave).get(reverse("exercises:courses"), **zh).content.decode()
    assert "邀请" in html and "接受" in html and "拒绝" in html
    staff = client_for(instructor).get(reverse("exercises:course", args=[course.pk]), **zh).content.decode()
    assert "等待答复" in staff


def test_someone_elses_invitation_cannot_be_answered(course, instructor, alice, django_capture_on_commit_callbacks):
    dave = make_user("dave")
    import_rows(course, instructor, "dave,,\n", django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(user=dave)
    with pytest.raises(PermissionDenied):
        roster_services.invitation_accept(invitation=invitation, user=alice)
    assert invitation_selectors.invitation_get_pending(invitation_id=invitation.pk, user=alice) is None
    assert invitation_selectors.invitation_get_pending(invitation_id="x", user=dave) is None
