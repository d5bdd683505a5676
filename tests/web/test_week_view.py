"""A structure's week and day views: bookings on their hours, added, moved and cancelled there."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from icalbridge.bookings.local_bookings import create_local_booking
from icalbridge.clock import CLOCK_FILE_VARIABLE, set_virtual_now
from icalbridge.core.bookings import Kind
from icalbridge.core.spans import Nights, Timed
from icalbridge.hub.models import Booking, BookingMove, Channel, Membership, Role, Unit
from icalbridge.sync.conflict_tracking import update_unit_conflicts
from tests.web.conftest import make_org

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TUESDAY = date(2026, 3, 10)
WEEK = f"date={TUESDAY}"


@pytest.fixture
def early_march(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Put the hub's clock before the week the tests plan: a host enters no past lesson."""
    path = tmp_path / "clock"
    set_virtual_now(path, datetime(2026, 3, 2, 9, tzinfo=PARIS))
    monkeypatch.setenv(CLOCK_FILE_VARIABLE, str(path))


@pytest.fixture
def school() -> Any:
    return make_org("accueil@ecole-musique.test", "École de musique des Tilleuls")


@pytest.fixture
def room(school: Any) -> Unit:
    return Unit.objects.create(
        organization=school.organization, name="Salle Debussy", booked_by_the_hour=True
    )


def client_for(user: Any, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def lesson(
    unit: Unit, day: date, start: time, end: time, category: str = "cours", **more: Any
) -> Booking:
    zone = unit.zone
    return create_local_booking(
        unit,
        span=Timed(datetime.combine(day, start, zone), datetime.combine(day, end, zone)),
        kind=more.pop("kind", Kind.RESERVED),
        category=category,
        **more,
    )


def imported_lesson(channel: Channel, start: datetime, length: timedelta) -> Booking:
    """Write a lesson as an import from a teacher's calendar would."""
    return Booking.objects.create(
        unit=channel.unit,
        kind="reserved",
        origin=channel,
        remote_uid=f"{start:%Y%m%d%H%M}@teacher.example",
        summary="Cours particulier",
        all_day=False,
        start_at=start,
        end_at=start + length,
    )


def page_of(client: Client, name: str, unit: Unit | None = None, query: str = WEEK) -> str:
    args = [unit.public_id] if unit else []
    response = client.get(f"{reverse(name, args=args)}?{query}")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def cell_labels(page: str) -> list[str]:
    return re.findall(r'data-cell [^>]*aria-label="([^"]*)"', page)


def block_of(page: str, booking: Booking) -> str:
    found = re.search(rf'<a class="tblock[^"]*"[^>]*data-booking="{booking.public_id}"[^>]*>', page)
    assert found, f"no block for {booking}"
    return found[0]


def test_a_rooms_week_shows_each_lesson_on_its_hours_with_its_category_and_kind(
    school: Any, room: Unit
) -> None:
    piano = lesson(room, TUESDAY, time(10), time(11), "cours de piano")
    solfege = lesson(room, TUESDAY, time(14, 30), time(15, 15), "solfège", kind=Kind.TENTATIVE)
    page = page_of(client_for(school.owner), "unit_week", room)
    assert "Semaine du 9 au 15 mars 2026" in page
    assert "Heures dans le fuseau Europe/Paris" in page
    assert 'data-top="0.0000" data-length="1.0000"' in block_of(page, piano)
    assert 'data-top="0.5000" data-length="0.7500"' in block_of(page, solfege)
    assert "kind-tentative" in block_of(page, solfege)
    labels = cell_labels(page)
    assert "mardi 10 mars, 10:00 : cours de piano, Réservé, 10:00–11:00" in labels
    assert "mardi 10 mars, 15:00 : solfège, Pré-réservé, 14:30–15:15" in labels
    assert "mercredi 11 mars, 10:00 : libre" in labels
    # The categories of the week are named in the legend.
    assert re.search(r'<span class="pill">cours de piano</span>', page)


def test_the_same_week_reads_in_english(school: Any, room: Unit) -> None:
    lesson(room, TUESDAY, time(10), time(11), "piano lesson")
    page = page_of(client_for(school.owner, "en"), "unit_week", room)
    assert "Week of 9 to 15 March 2026" in page
    assert "Tuesday 10 March, 10:00: piano lesson, Reserved, 10:00–11:00" in cell_labels(page)
    assert "Wednesday 11 March, all day: free" in cell_labels(page)


def test_hours_are_read_in_the_units_own_time_zone(school: Any) -> None:
    studio = Unit.objects.create(
        organization=school.organization, name="Studio NYC", timezone="America/New_York"
    )
    # 15:00 in Paris is 10:00 in New York that day (both on winter time... New York is not).
    instant = datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("UTC"))
    booked = create_local_booking(
        studio, span=Timed(instant, instant + timedelta(hours=1)), kind=Kind.RESERVED
    )
    page = page_of(client_for(school.owner), "unit_day", studio, f"date={TUESDAY}")
    assert "mardi 10 mars, 10:00 : Réservé, 10:00–11:00" in cell_labels(page)
    assert 'data-top="0.0000"' in block_of(page, booked)


def test_the_day_clocks_go_forward_has_no_2_oclock_and_the_day_they_go_back_has_two(
    school: Any, room: Unit
) -> None:
    client = client_for(school.owner)
    spring = page_of(client, "unit_week", room, "date=2026-03-29&hours=all")
    assert re.search(
        r'class="gap"[^>]*aria-label="dimanche 29 mars, 02:00 : cette heure n’existe pas ce'
        r" jour-là \(changement d’heure\)",
        spring,
    )
    assert "samedi 28 mars, 02:00 : libre" in cell_labels(spring)
    autumn = page_of(client, "unit_day", room, "date=2026-10-25&hours=all")
    assert re.search(r'<th scope="row" class="hourhead">02:00 bis</th>', autumn)
    assert len(cell_labels(autumn)) == 1 + 25  # the whole-day row and 25 hours


def test_lessons_sharing_time_sit_side_by_side_and_only_a_double_booking_is_marked(
    school: Any, room: Unit
) -> None:
    piano = lesson(room, TUESDAY, time(10), time(11), "piano")
    violin = lesson(room, TUESDAY, time(10, 30), time(11, 30), "violon")
    page = page_of(client_for(school.owner), "unit_week", room)
    assert 'data-lane="0" data-lanes="2"' in block_of(page, piano)
    assert 'data-lane="1" data-lanes="2"' in block_of(page, violin)
    # Two bookings entered here are no double booking (docs/domain.md rule 9).
    assert "is-conflict" not in block_of(page, piano)

    channel = Channel.objects.create(
        unit=room, name="Agenda du professeur", platform="google", direction="import"
    )
    imported = imported_lesson(
        channel, datetime.combine(TUESDAY, time(10, 45), PARIS), timedelta(minutes=75)
    )
    update_unit_conflicts(room, datetime.combine(TUESDAY, time(8), PARIS))
    page = page_of(client_for(school.owner), "unit_week", room)
    assert "is-conflict" in block_of(page, imported)
    assert "is-conflict" in block_of(page, piano)
    assert 'data-lanes="3"' in block_of(page, imported)
    assert (
        "mardi 10 mars, 11:00 : violon, Réservé, 10:30–11:30, double réservation; Cours"
        " particulier, Réservé, venant de Agenda du professeur, 10:45–12:00, double réservation"
        in cell_labels(page)
    )


def _data_add(page: str, label_start: str) -> str:
    for attributes in re.findall(r"<td data-cell [^>]*>", page):
        if f'aria-label="{label_start}' in attributes:
            found = re.search(r'data-add="([^"]*)"', attributes)
            assert found, attributes
            return found[1]
    raise AssertionError(f"no cell {label_start}")


@pytest.mark.usefixtures("early_march")
def test_a_lesson_is_added_from_an_hour_of_the_week_and_the_host_comes_back_to_it(
    school: Any, room: Unit
) -> None:
    client = client_for(school.owner)
    page = page_of(client, "unit_week", room)
    add = _data_add(page, "jeudi 12 mars, 17:00 : libre")
    query = parse_qs(urlsplit(add).query)
    assert (query["start"], query["start_time"], query["end"], query["end_time"]) == (
        ["2026-03-12"],
        ["17:00"],
        ["2026-03-12"],
        ["18:00"],
    )
    form = client.get(add, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="17:00"' in form and 'name="next"' in form
    assert re.search(r'<input type="radio" name="kind" value="reserved"[^>]* checked', form)
    response = client.post(
        add,
        {
            "kind": "reserved",
            "start": "2026-03-12",
            "end": "2026-03-12",
            "start_time": "17:00",
            "end_time": "18:00",
            "category": "chorale",
            "apply_on": "all",
            "next": query["next"][0],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('unit_week', args=[room.public_id])}?{WEEK}"
    added = Booking.objects.get(category="chorale")
    assert added.span == Timed(
        datetime(2026, 3, 12, 17, tzinfo=PARIS), datetime(2026, 3, 12, 18, tzinfo=PARIS)
    )
    assert "jeudi 12 mars, 17:00 : chorale, Réservé, 17:00–18:00" in cell_labels(
        page_of(client, "unit_week", room)
    )


@pytest.mark.usefixtures("early_march")
def test_a_lesson_is_moved_then_cancelled_from_the_week_through_the_booking_page(
    school: Any, room: Unit
) -> None:
    client = client_for(school.owner)
    piano = lesson(room, TUESDAY, time(10), time(11), "piano")
    page = page_of(client, "unit_week", room)
    href = re.search(r'href="([^"]*)"', block_of(page, piano))
    assert href
    detail = href[1]
    back = parse_qs(urlsplit(detail).query)["next"][0]
    moved = client.post(
        detail,
        {
            "kind": "reserved",
            "start": "2026-03-11",
            "end": "2026-03-11",
            "start_time": "16:00",
            "end_time": "17:00",
            "category": "piano",
            "apply_on": "all",
            "next": back,
        },
    )
    assert moved["Location"] == back
    piano.refresh_from_db()
    assert piano.start_at == datetime(2026, 3, 11, 16, tzinfo=PARIS)
    assert BookingMove.objects.filter(booking=piano, source="host").count() == 1
    assert "mercredi 11 mars, 16:00 : piano, Réservé, 16:00–17:00" in cell_labels(
        page_of(client, "unit_week", room)
    )

    cancelled = client.post(reverse("booking_cancel", args=[piano.public_id]), {"next": back})
    assert cancelled["Location"] == back
    assert "mercredi 11 mars, 16:00 : libre" in cell_labels(page_of(client, "unit_week", room))


def test_a_return_address_off_the_site_is_ignored(school: Any, room: Unit) -> None:
    piano = lesson(room, TUESDAY, time(10), time(11), "piano")
    response = client_for(school.owner).post(
        reverse("booking_cancel", args=[piano.public_id]), {"next": "//evil.example/week"}
    )
    assert response["Location"].startswith(reverse("unit_calendar", args=[room.public_id]))


def test_a_member_of_another_organization_gets_404_and_sees_only_their_own_agenda(
    school: Any, room: Unit
) -> None:
    lesson(room, TUESDAY, time(10), time(11), "piano")
    other = make_org("direction@conservatoire.test", "Conservatoire")
    Unit.objects.create(organization=other.organization, name="Auditorium")
    client = client_for(other.owner)
    for name in ("unit_week", "unit_day", "unit_calendar"):
        assert client.get(reverse(name, args=[room.public_id])).status_code == 404
    for name in ("agenda_week", "agenda_day"):
        page = page_of(client, name)
        assert "Auditorium" in page and "Salle Debussy" not in page and "piano" not in page


def test_a_viewer_reads_the_week_but_is_offered_no_adding(school: Any, room: Unit) -> None:
    lesson(room, TUESDAY, time(10), time(11), "piano")
    viewer = make_org("parent@example.test", "Famille").owner
    Membership.objects.create(user=viewer, organization=school.organization, role=Role.VIEWER)
    client = client_for(viewer)
    client.post(reverse("organization_switch"), {"organization": school.organization.pk})
    for name, unit in (("unit_week", room), ("agenda_week", None), ("agenda_day", None)):
        page = page_of(client, name, unit)
        assert "piano" in page and "data-add=" not in page
        assert "Vous pouvez voir cet agenda mais pas le modifier." in page


def test_a_unit_booked_by_the_hour_opens_on_its_week_and_keeps_its_month(
    school: Any, room: Unit
) -> None:
    client = client_for(school.owner)
    response = client.get(reverse("unit_calendar", args=[room.public_id]))
    assert response["Location"] == reverse("unit_week", args=[room.public_id])
    month = client.get(reverse("unit_calendar", args=[room.public_id]) + "?month=2026-03")
    assert month.status_code == 200 and b"month-grid" in month.content

    gite = Unit.objects.create(organization=school.organization, name="Gîte")
    assert client.get(reverse("unit_calendar", args=[gite.public_id])).status_code == 200
    form = client.get(reverse("unit_edit", args=[gite.public_id])).content.decode()
    assert "Comment se réserve-t-il ?" in html.unescape(form)
    client.post(
        reverse("unit_edit", args=[gite.public_id]),
        {
            "name": "Salle Ravel",
            "timezone": "Europe/Paris",
            "check_in": "16:00",
            "check_out": "10:00",
            "booked_by_the_hour": "True",
        },
    )
    gite.refresh_from_db()
    assert gite.booked_by_the_hour
    assert client.get(reverse("unit_calendar", args=[gite.public_id]))["Location"] == reverse(
        "unit_week", args=[gite.public_id]
    )


def test_a_rental_platforms_stays_are_named_by_their_kind_in_the_hosts_language(
    school: Any,
) -> None:
    gite = Unit.objects.create(organization=school.organization, name="Gîte des Tilleuls")
    airbnb = Channel.objects.create(unit=gite, name="Airbnb", platform="airbnb", direction="both")
    Booking.objects.create(
        unit=gite,
        kind="reserved",
        origin=airbnb,
        remote_uid="stay-1@airbnb.com",
        summary="Reserved",
        all_day=True,
        start_date=TUESDAY,
        end_date=TUESDAY + timedelta(days=3),
    )
    for language, words in (("fr", "Réservé, venant de Airbnb"), ("en", "Reserved, from Airbnb")):
        page = page_of(client_for(school.owner, language), "agenda_week")
        assert any(label.endswith(words) or words + "," in label for label in cell_labels(page)), (
            cell_labels(page)
        )
        if language == "fr":
            assert "Reserved" not in page


def test_a_new_unit_starts_booked_by_the_night_and_a_unit_edited_shows_how_it_is_booked(
    school: Any, room: Unit
) -> None:
    def checked(page: str) -> list[str]:
        return re.findall(r'name="booked_by_the_hour" value="(\w+)"[^>]*checked', page)

    client = client_for(school.owner)
    assert checked(client.get(reverse("unit_create")).content.decode()) == ["False"]
    edit = client.get(reverse("unit_edit", args=[room.public_id])).content.decode()
    assert checked(edit) == ["True"]


def test_every_units_day_puts_the_units_side_by_side(school: Any, room: Unit) -> None:
    hall = Unit.objects.create(organization=school.organization, name="Auditorium")
    lesson(room, TUESDAY, time(9), time(10), "piano")
    lesson(hall, TUESDAY, time(18), time(20), "concert")
    page = page_of(client_for(school.owner), "agenda_day", None, f"date={TUESDAY}")
    labels = cell_labels(page)
    assert "Salle Debussy, 09:00 : piano, Réservé, 09:00–10:00" in labels
    assert "Auditorium, 19:00 : concert, Réservé, 18:00–20:00" in labels
    assert "mardi 10 mars 2026" in page


def test_every_units_week_has_a_row_a_day_and_a_column_a_unit(school: Any, room: Unit) -> None:
    hall = Unit.objects.create(organization=school.organization, name="Auditorium")
    lesson(room, TUESDAY, time(9), time(10), "piano")
    lesson(room, TUESDAY, time(11), time(12), "violon")
    create_local_booking(
        hall,
        span=Nights(TUESDAY, TUESDAY + timedelta(days=2)),
        kind=Kind.UNAVAILABLE,
        category="travaux",
    )
    page = page_of(client_for(school.owner), "agenda_week")
    assert page.count('<tr class="') + page.count("<tr>") >= 7
    labels = cell_labels(page)
    assert (
        "Salle Debussy, mardi 10 mars : piano, Réservé, 09:00–10:00; violon, Réservé,"
        " 11:00–12:00" in labels
    )
    assert "Auditorium, mercredi 11 mars : travaux, Indisponible, toute la journée" in labels
    assert "Auditorium, jeudi 12 mars : libre" in labels
    # "Add" on a day starts at its first free hour from 9:00.
    add = _data_add(page, "Salle Debussy, mardi 10 mars")
    assert parse_qs(urlsplit(add).query)["start_time"] == ["10:00"]


def test_a_date_that_is_not_one_shows_today_and_says_why(school: Any, room: Unit) -> None:
    page = page_of(client_for(school.owner), "unit_week", room, "date=2026-02-30")
    assert "« 2026-02-30 » n’est pas une date ; voici aujourd’hui." in page
    today = timezone.now().astimezone(PARIS).date()
    assert f'value="{today:%Y-%m-%d}"' in page
