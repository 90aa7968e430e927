"""`udsyn backup` and `udsyn restore`: a backup of the seed data with users, roles, inquiries and history,
restored into an empty installation on the same engine and on the other one (SQLite ⇄ PostgreSQL), backs up
again to the same archive, apart from the date it was made."""

import datetime
import json
import os
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests import templates
from tests.seeds import ROOT
from udsyn.core import backup
from udsyn.core.exchange.importer import import_files
from udsyn.core.models import ChangeRequest
from udsyn.core.usage import do_delete
from udsyn.engagements.merge import merge
from udsyn.engagements.models import City, Engagement, EngagementLink, Representative
from udsyn.inquiries import workflow
from udsyn.inquiries.models import FollowUp, Inquiry, InquiryEngagement
from udsyn.interop.models import TableUpload
from udsyn.organisation.models import Department, Municipality, Person, Role
from udsyn.organisation.tokens import do_make_token, do_revoke_token
from udsyn.reports.models import ReportJob
from udsyn.steering.models import Alignment, Indicator, Observation, Review, ReviewSchedule, ReviewScore
from udsyn.strategy.models import Goal, Principle

# The reference list of municipalities and the two smaller seeds: every kind of seeded record, in seconds.
SEEDS = [ROOT / "data" / "reference" / "dk-municipalities.yaml", ROOT / "data" / "seed" / "0169-hoeje-taastrup.yaml",
         ROOT / "data" / "seed" / "0461-odense.yaml"]
# The PostgreSQL server for the other engine's installation: the tests' own when they run on PostgreSQL, else
# UDSYN_TEST_POSTGRES, else the one `make test-postgres` uses.
_URL = os.environ.get("DATABASE_URL", "")
POSTGRES = os.environ.get("UDSYN_TEST_POSTGRES") or (
    _URL.rsplit("/", 1)[0] if _URL.startswith(("postgres://", "postgresql://")) else "postgres://postgres@127.0.0.1:5432")

# Record types the test data must fill, so that a backup that forgot one of them would be caught.
MUST_HAVE_ROWS = [
    "auth.user", "auth.group", "auth.group_permissions", "auth.user_groups", "auth.user_user_permissions",
    "organisation.apitoken", "organisation.historicalapitoken", "axes.accessattempt", "admin.logentry",
    "organisation.role", "organisation.historicalrole",
    "organisation.person", "organisation.historicalperson", "inquiries.inquiry", "inquiries.historicalinquiry",
    "inquiries.inquiryevent", "inquiries.inquiry_contributing_departments", "inquiries.programmeitem",
    "inquiries.followup", "inquiries.inquiryengagement", "inquiries.departmentinquirysettings",
    "steering.review", "steering.reviewscore", "steering.indicator", "steering.observation",
    "steering.reviewschedule", "steering.alignment", "core.changerequest", "core.deletedrelations",
    "core.searchentry", "engagements.merge", "engagements.historicalengagement", "reports.reportjob",
    "interop.tableupload",
]


def _populate() -> dict[str, Any]:
    """The seeds, then what only use makes: users with roles, inquiries through their workflow, steering,
    edits and a deletion (history), a merge, change requests, uploads and reports (binary content)."""
    result = import_files([(str(path.relative_to(ROOT)), path.read_bytes()) for path in SEEDS])
    assert result.ok, [str(problem) for problem in result.problems]
    odense = Municipality.objects.get(code="0461")
    departments = list(Department.objects.filter(municipality=odense).order_by("pk"))
    admin = User.objects.create_superuser("admin", "admin@example.org", "secret-pass-123")
    Role.objects.create(user=admin, kind=Role.Kind.ADMINISTRATOR)
    coordinator = User.objects.create_user("koordinator", "k@odense.dk", "secret-pass-123", first_name="Karen")
    Role.objects.create(user=coordinator, kind=Role.Kind.COORDINATOR, municipality=odense)
    editor = User.objects.create_user("redaktoer", "r@odense.dk", "secret-pass-123")
    role = Role.objects.create(user=editor, kind=Role.Kind.READER, municipality=odense)
    role.kind, role.department = Role.Kind.EDITOR, departments[0]
    role.save()  # a role change, kept in history
    group = Group.objects.create(name="Eksport")
    group.permissions.add(Permission.objects.get(codename="view_engagement"))
    editor.groups.add(group)
    editor.user_permissions.add(Permission.objects.get(codename="change_person"))
    do_revoke_token(do_make_token(coordinator, coordinator)[0], coordinator)
    do_make_token(coordinator, coordinator, name="kept")
    AccessAttempt.objects.create(username="koordinator", ip_address="192.0.2.1", user_agent="test", get_data="",
                                 post_data="", http_accept="*/*", path_info="/login/", failures_since_start=3)
    LogEntry.objects.create(user=admin, content_type=ContentType.objects.get_for_model(Person), object_id="1",
                            object_repr="Someone", action_flag=ADDITION, change_message="[]")

    person = Person.objects.create(municipality=odense, name="Mette Madsen", title="Chef", email="mm@odense.dk")
    person.title, person._change_reason = "Direktør", "New title"
    person.save()
    engagement = Engagement.objects.filter(municipality=odense).order_by("pk").first()
    assert engagement is not None
    Representative.objects.create(engagement=engagement, person=person)
    engagement.title = engagement.title + " (revideret)"
    engagement.save()
    link = EngagementLink.objects.create(engagement=engagement, url="https://example.org/", title="Site")
    do_delete(link, admin)

    inquiry = workflow.receive(Inquiry(
        municipality=odense, kind=Inquiry.Kind.VISIT, country="DE", contact_name="Anna Schmidt",
        contact_email="anna@example.de", group_size=12, message="Wir möchten Odense besuchen.",
        organisation="Stadt Kiel", organisation_kind="public_authority"))
    workflow.route(inquiry, coordinator, departments[0], [departments[1]])
    workflow.accept(inquiry, editor)
    start = timezone.now() + datetime.timedelta(days=30)
    workflow.plan(inquiry, editor, start, start + datetime.timedelta(hours=3), "Rådhuset")
    workflow.write(inquiry, editor, "Velkommen!")
    workflow.reply(inquiry, "Danke!")
    workflow.note(inquiry, coordinator, "Husk kaffe.")
    inquiry.programme.create(title="Velkomst", presenter="Borgmesteren")
    FollowUp.objects.create(inquiry=inquiry, text="Send referat", due=datetime.date(2027, 1, 5))
    InquiryEngagement.objects.create(inquiry=inquiry, engagement=engagement)

    goal = Goal.objects.filter(strategy__municipality=odense).first() or Goal.objects.first()
    principle = Principle.objects.first()
    assert goal is not None and principle is not None
    Alignment.objects.create(engagement=engagement, goal=goal, justification="Fordi.")
    ReviewSchedule.objects.create(municipality=odense)
    review = Review.objects.create(engagement=engagement, reviewed_on=datetime.date(2026, 6, 1), reviewer=editor,
                                   staff_hours=40)
    ReviewScore.objects.create(review=review, principle=principle, score=4, note="Godt")
    indicator = Indicator.objects.create(municipality=odense, name="Besøg", measure="Antal", data_source="Egen",
                                         owner=person, target_value=Decimal("12.50"))
    Observation.objects.create(indicator=indicator, date=datetime.date(2026, 1, 1), value=Decimal("3"),
                               recorded_by=coordinator)

    kiel = City.objects.create(name="Kiel", country="DE")
    kiel_again = City.objects.create(name="Kiel ", country="DE")
    merge(kiel, kiel_again, admin)
    ChangeRequest.objects.create(content_type=ContentType.objects.get_for_model(City), object_id=kiel.pk,
                                 record_name=str(kiel), text="Stavemåde?", requested_by=coordinator)
    ReportJob.objects.create(user=coordinator, municipality=odense, state=ReportJob.State.DONE, filename="r.pdf",
                             content_type="application/pdf", data=b"%PDF-1.7\x00\xff binary")
    TableUpload.objects.create(user=coordinator, filename="t.csv", content="navn;æøå\n".encode() + bytes(range(256)),
                               result={"zeta": 1, "alpha": [2, {"b": 1, "a": None}], "ø": 1.5})
    return {"engagement": engagement}


def differences(first: Path, second: Path) -> list[str]:
    """What differs between two archives, apart from when they were made."""
    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        found = [f"only in one: {name}" for name in sorted(set(a.namelist()) ^ set(b.namelist()))]
        for name in sorted(set(a.namelist()) & set(b.namelist())):
            left, right = a.read(name), b.read(name)
            if name == backup.MANIFEST:
                left_manifest, right_manifest = json.loads(left), json.loads(right)
                left_manifest.pop("created")
                right_manifest.pop("created")
                found += [f"manifest: {key}" for key in sorted(left_manifest)
                          if left_manifest[key] != right_manifest.get(key)]
            elif left != right:
                lines = list(set(left.splitlines()) ^ set(right.splitlines()))
                found.append(f"{name}: {sorted(lines)[:4]}")
    return found


def _empty_here() -> None:
    """The test database as a new installation: migrated, with only what migrating makes (content types and
    permissions, made again with new ids)."""
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()


def _udsyn(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "udsyn.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _postgres_admin() -> Any:
    import psycopg

    try:
        return psycopg.connect(POSTGRES + "/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL does not answer at {POSTGRES} ({error}); set UDSYN_TEST_POSTGRES")


def _empty_postgres() -> tuple[str, Any]:
    """A new, empty PostgreSQL installation: a copy of the migrated template (tests/templates.py), dropped
    after the test."""
    admin = _postgres_admin()
    name = f"udsyn_backup_{os.getpid()}"
    templates.copy_postgres(admin, POSTGRES, name)
    return f"{POSTGRES}/{name}", admin


def _empty_sqlite(folder: Path) -> str:
    """A new, empty SQLite installation: a copy of the migrated template (tests/templates.py)."""
    target = folder / "restored.sqlite3"
    templates.copy_sqlite(target)
    return f"sqlite:///{target}"


@pytest.mark.django_db(transaction=True)
def test_a_backup_holds_every_row_and_restores_to_the_same_backup(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "logos").mkdir(parents=True)
    (tmp_path / "media" / "logos" / "odense.png").write_bytes(b"\x89PNG\r\n" + os.urandom(2000))
    _populate()
    first = tmp_path / "first.zip"
    manifest = backup.write(first)

    # Every model that has rows is in the archive, with all of them; what the test data must fill, it fills.
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.proxy or not model._meta.managed or label in backup.EXCLUDED:
            continue
        assert manifest["counts"][label] == model._base_manager.count(), label
    empty = [label for label in MUST_HAVE_ROWS if not manifest["counts"].get(label)]
    assert empty == []
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["migrations"]["inquiries"]
    assert manifest["media"] == ["logos/odense.png"]
    with zipfile.ZipFile(first) as archive:
        users = [json.loads(line) for line in archive.read(backup.member_name(
            manifest["models"].index("auth.user") + 1, User)).splitlines()]
    assert {user["fields"]["password"][:4] for user in users} == {"md5$"}  # hashes, so people can sign in again

    # Refused where there is data already.
    with pytest.raises(backup.BackupError, match="empty installation"):
        backup.restore(first)

    # Restored into an empty installation: the same backup again, and people sign in as before.
    media = (tmp_path / "media" / "logos" / "odense.png").read_bytes()
    _empty_here()
    (tmp_path / "media" / "logos" / "odense.png").unlink()
    backup.restore(first)
    again = tmp_path / "again.zip"
    backup.write(again)
    assert differences(first, again) == []
    assert (tmp_path / "media" / "logos" / "odense.png").read_bytes() == media
    assert User.objects.get(username="koordinator").check_password("secret-pass-123")
    inquiry = Inquiry.objects.get()
    assert inquiry.history.count() > 1 and inquiry.events.count() >= 5
    assert bytes(TableUpload.objects.get().content).endswith(bytes(range(256)))

    # New rows take new ids: the sequences were moved past the restored rows.
    newest = Person.objects.order_by("pk").last()
    assert newest is not None
    added = Person.objects.create(municipality=newest.municipality, name="Ny person")
    assert added.pk > newest.pk


@pytest.mark.django_db(transaction=True)
def test_a_backup_moves_between_sqlite_and_postgresql(tmp_path: Path) -> None:
    """From the engine the tests run on to the other one, and back."""
    _populate()
    first = tmp_path / "first.zip"
    backup.write(first)
    admin = None
    if connection.vendor == "sqlite":
        other, admin = _empty_postgres()
    else:
        other = _empty_sqlite(tmp_path)
    try:
        assert "Restored" in _udsyn(other, "restore", str(first))
        moved = tmp_path / "moved.zip"
        _udsyn(other, "backup", str(moved))
        assert differences(first, moved) == []
        # A second restore there is refused: the installation is no longer empty.
        env = {**os.environ, "DATABASE_URL": other, "PYTHONPATH": str(ROOT)}
        refused = subprocess.run([sys.executable, "-m", "udsyn.cli", "restore", str(first)], env=env, cwd=ROOT,
                                 capture_output=True, text=True, timeout=600, check=False)
        assert refused.returncode != 0 and "empty installation" in refused.stderr
    finally:
        if admin is not None:
            admin.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(other.rsplit("/", 1)[1]))
    # And back: the backup made on the other engine restores here to the same backup.
    _empty_here()
    backup.restore(moved)
    back = tmp_path / "back.zip"
    backup.write(back)
    assert differences(first, back) == []


@pytest.mark.django_db
def test_an_archive_of_another_format_or_other_migrations_is_refused(tmp_path: Path) -> None:
    Municipality.objects.create(code="0101", name="København")
    made = tmp_path / "made.zip"
    manifest = backup.write(made)

    def altered(name: str, **changes: Any) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w") as target:
            for item in source.namelist():
                if item != backup.MANIFEST:
                    target.writestr(item, source.read(item))
            target.writestr(backup.MANIFEST, json.dumps({**manifest, **changes}))
        return path

    with pytest.raises(backup.BackupError, match="format version 2"):
        backup.restore(altered("newer.zip", format_version=2))
    migrations = {**manifest["migrations"], "inquiries": [*manifest["migrations"]["inquiries"], "9999_future"]}
    with pytest.raises(backup.BackupError, match="inquiries: the backup has 9999_future"):
        backup.restore(altered("future.zip", migrations=migrations))
    (tmp_path / "not.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    with pytest.raises(backup.BackupError, match="not a Udsyn backup"):
        backup.restore(tmp_path / "not.zip")
    with pytest.raises(backup.BackupError, match="empty installation"):
        backup.restore(made)  # the test database has a municipality
    assert not (tmp_path / "made.zip.partial").exists()


def test_the_models_are_written_parents_first() -> None:
    order = [model._meta.label_lower for model in backup.backed_up_models()]
    assert order.index("organisation.municipality") < order.index("organisation.department")
    assert order.index("organisation.department") < order.index("engagements.engagement")
    assert order.index("engagements.engagement") < order.index("inquiries.inquiryengagement")
    assert order.index("contenttypes.contenttype") < order.index("auth.permission")
    assert "sessions.session" not in order


def _guide_units() -> list[str]:
    """The backup service and timer the operations guide installs (deploy/systemd)."""
    units = ROOT / "deploy" / "systemd"
    return [(units / name).read_text(encoding="utf-8") for name in ("udsyn-backup.service", "udsyn-backup.timer")]


def test_the_guides_rotation_keeps_14_nightly_and_6_monthly_backups(tmp_path: Path) -> None:
    service = _guide_units()[0]
    command = re.search(r"^ExecStartPost=/bin/sh -c '(.*)'$", service, re.M)
    assert command is not None
    day = datetime.date(2026, 1, 1)
    while day <= datetime.date(2026, 12, 2):
        (tmp_path / f"udsyn-{day.isoformat()}.zip").write_bytes(b"")
        day += datetime.timedelta(days=1)
    subprocess.run(["/bin/sh", "-c", command.group(1).replace("/var/backups/udsyn", str(tmp_path))], check=True)
    kept = sorted(path.name for path in tmp_path.iterdir())
    nightly = [name for name in kept if not name.endswith("-01.zip")]
    monthly = [name for name in kept if name.endswith("-01.zip")]
    assert nightly == [f"udsyn-2026-11-{d}.zip" for d in range(18, 31)] + ["udsyn-2026-12-02.zip"]
    assert monthly == [f"udsyn-2026-{m:02d}-01.zip" for m in range(7, 13)]
