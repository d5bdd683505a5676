"""The CalDAV push plan: the calendar ends up holding exactly the feed, and nothing else is touched."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st

from icalbridge.core.caldav_plan import (
    PlannedWrite,
    WriteKind,
    Written,
    plan_push,
    resource_name,
)

CAL = "/alice/agenda/"


def href(uid: str) -> str:
    return CAL + resource_name(uid)


def test_a_new_event_is_created_only_where_nothing_is() -> None:
    assert plan_push({"1@icalbridge": "f1"}, {}, CAL) == (
        PlannedWrite(WriteKind.CREATE, "1@icalbridge", href("1@icalbridge")),
    )


def test_a_changed_event_replaces_the_version_the_hub_wrote() -> None:
    written = {"1@icalbridge": Written(href("1@icalbridge"), '"e1"', "f1")}
    assert plan_push({"1@icalbridge": "f2"}, written, CAL) == (
        PlannedWrite(WriteKind.UPDATE, "1@icalbridge", href("1@icalbridge"), '"e1"'),
    )


def test_an_event_gone_from_the_feed_is_removed_with_its_etag() -> None:
    written = {"1@icalbridge": Written(href("1@icalbridge"), '"e1"', "f1")}
    assert plan_push({}, written, CAL) == (
        PlannedWrite(WriteKind.DELETE, "1@icalbridge", href("1@icalbridge"), '"e1"'),
    )


def test_an_unchanged_feed_writes_nothing() -> None:
    written = {"1@icalbridge": Written(href("1@icalbridge"), '"e1"', "f1")}
    assert plan_push({"1@icalbridge": "f1"}, written, CAL) == ()
    assert plan_push({"1@icalbridge": "f1"}, written, CAL, {href("1@icalbridge"): '"e1"'}) == ()


def test_an_event_deleted_on_the_server_is_written_again() -> None:
    written = {"1@icalbridge": Written(href("1@icalbridge"), '"e1"', "f1")}
    assert plan_push({"1@icalbridge": "f1"}, written, CAL, {"/alice/agenda/mine.ics": '"x"'}) == (
        PlannedWrite(WriteKind.CREATE, "1@icalbridge", href("1@icalbridge")),
    )


def test_an_event_edited_on_the_server_is_put_back_naming_the_etag_seen() -> None:
    written = {"1@icalbridge": Written(href("1@icalbridge"), '"e1"', "f1")}
    assert plan_push({"1@icalbridge": "f1"}, written, CAL, {href("1@icalbridge"): '"e9"'}) == (
        PlannedWrite(WriteKind.UPDATE, "1@icalbridge", href("1@icalbridge"), '"e9"'),
    )


def test_an_event_gone_from_both_sides_is_only_forgotten() -> None:
    written = {"1@icalbridge": Written(href("1@icalbridge"), '"e1"', "f1")}
    assert plan_push({}, written, CAL, {}) == (
        PlannedWrite(WriteKind.FORGET, "1@icalbridge", href("1@icalbridge")),
    )


def test_an_etag_the_server_did_not_give_is_learned_from_the_listing() -> None:
    written = {"1@icalbridge": Written(href("1@icalbridge"), None, "f1")}
    assert plan_push({"1@icalbridge": "f1"}, written, CAL, {href("1@icalbridge"): '"e1"'}) == (
        PlannedWrite(WriteKind.RECORD, "1@icalbridge", href("1@icalbridge"), '"e1"'),
    )


def test_resource_names_are_plain_and_differ_by_uid() -> None:
    names = {resource_name(f"{n}@icalbridge") for n in range(1000)}
    assert len(names) == 1000
    assert all(name.replace("-", "").replace(".", "").isalnum() for name in names)


# A model server: href -> (uid, etag, fingerprint). Writes fail as a real server's would
# when their condition does not hold.
@dataclass
class Server:
    resources: dict[str, tuple[str, str, str]]
    counter: int = 0
    failures: list[PlannedWrite] = field(default_factory=list)

    def etag(self) -> str:
        self.counter += 1
        return f'"s{self.counter}"'

    def apply(
        self, plan: tuple[PlannedWrite, ...], wanted: dict[str, str], record: dict[str, Written]
    ) -> None:
        for write in plan:
            current = self.resources.get(write.href)
            if write.kind == WriteKind.CREATE:
                if current is not None:
                    self.failures.append(write)
                    continue
                tag = self.etag()
                self.resources[write.href] = (write.uid, tag, wanted[write.uid])
                record[write.uid] = Written(write.href, tag, wanted[write.uid])
            elif write.kind == WriteKind.UPDATE:
                if current is None or current[1] != write.if_match:
                    self.failures.append(write)
                    continue
                tag = self.etag()
                self.resources[write.href] = (write.uid, tag, wanted[write.uid])
                record[write.uid] = Written(write.href, tag, wanted[write.uid])
            elif write.kind == WriteKind.DELETE:
                if current is None or current[1] != write.if_match:
                    self.failures.append(write)
                    continue
                del self.resources[write.href]
                del record[write.uid]
            elif write.kind == WriteKind.FORGET:
                assert current is None
                del record[write.uid]
            else:
                record[write.uid] = Written(
                    write.href, write.if_match, record[write.uid].fingerprint
                )

    def listing(self) -> dict[str, str | None]:
        return {h: r[1] for h, r in self.resources.items()}


UIDS = [f"{n}@icalbridge" for n in range(6)]
feeds = st.dictionaries(st.sampled_from(UIDS), st.sampled_from(["f1", "f2", "f3"]), max_size=6)
foreign = st.dictionaries(
    st.sampled_from([f"{CAL}person-{n}.ics" for n in range(4)]),
    st.tuples(st.sampled_from([*UIDS, "birthday@phone"]), st.sampled_from(['"p1"', '"p2"'])),
    max_size=4,
)
# What the person did to our events in their calendar program: delete or edit some.
meddling = st.dictionaries(st.sampled_from(UIDS), st.sampled_from(["delete", "edit"]), max_size=6)


def pushed(before: dict[str, str], others: dict[str, tuple[str, str]]) -> tuple[Server, dict]:
    """A calendar into which ``before`` was pushed, beside the person's own events."""
    server = Server({h: (uid, tag, "theirs") for h, (uid, tag) in others.items()})
    record: dict[str, Written] = {}
    server.apply(plan_push(before, {}, CAL), before, record)
    return server, record


def assert_holds_exactly(server: Server, wanted: dict[str, str], others: dict) -> None:
    ours = {h: r for h, r in server.resources.items() if h not in others}
    assert sorted((uid, f) for uid, _, f in ours.values()) == sorted(wanted.items())
    for h, (uid, tag) in others.items():
        assert server.resources[h] == (uid, tag, "theirs")


@given(feeds, feeds, foreign)
def test_pushing_a_change_from_the_record_alone_reaches_the_feed(
    before: dict[str, str], after: dict[str, str], others: dict[str, tuple[str, str]]
) -> None:
    server, record = pushed(before, others)
    server.apply(plan_push(after, record, CAL), after, record)
    assert not server.failures
    assert_holds_exactly(server, after, others)


@given(feeds, feeds, foreign, meddling)
def test_a_reconciliation_repairs_the_calendar_and_leaves_the_persons_events(
    before: dict[str, str],
    after: dict[str, str],
    others: dict[str, tuple[str, str]],
    meddled: dict[str, str],
) -> None:
    server, record = pushed(before, others)
    for uid, action in meddled.items():
        if uid in record:
            location = record[uid].href
            if action == "delete":
                del server.resources[location]
            else:
                uid_, _, fingerprint = server.resources[location]
                server.resources[location] = (uid_, server.etag(), fingerprint)
    plan = plan_push(after, record, CAL, server.listing())
    assert all(w.href not in others for w in plan), "a write named the person's event"
    server.apply(plan, after, record)
    assert not server.failures
    assert_holds_exactly(server, after, others)
    # Once reconciled, looking again finds nothing to do.
    assert plan_push(after, record, CAL, server.listing()) == ()


@given(feeds, feeds, foreign, meddling)
def test_a_write_planned_on_a_stale_record_fails_rather_than_overwrite(
    before: dict[str, str],
    after: dict[str, str],
    others: dict[str, tuple[str, str]],
    meddled: dict[str, str],
) -> None:
    server, record = pushed(before, others)
    edited = set()
    for uid, action in meddled.items():
        if uid in record and action == "edit":
            location = record[uid].href
            server.resources[location] = (uid, server.etag(), "edited by the person")
            edited.add(location)
    server.apply(plan_push(after, record, CAL), after, record)
    # An update or a removal never lands on an event changed since the hub wrote it.
    for location in edited:
        still = server.resources.get(location)
        assert still is not None and still[2] == "edited by the person"
    assert {w.href for w in server.failures} <= edited
