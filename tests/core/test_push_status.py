"""A push's state is read from its facts: a server that may come back is retried first."""

from __future__ import annotations

from icalbridge.core.push_status import PushFailure, PushState, push_state


def test_a_push_that_never_ran_waits_and_one_that_ran_is_ok() -> None:
    assert push_state(failures_in_row=0, failure=None, has_pushed=False, errors_after=3) == (
        PushState.WARNING,
        "pending",
    )
    assert push_state(failures_in_row=0, failure=None, has_pushed=True, errors_after=3) == (
        PushState.OK,
        "ok",
    )


def test_a_server_down_is_retried_before_it_is_an_error() -> None:
    down = PushFailure.UNREACHABLE
    assert push_state(failures_in_row=2, failure=down, has_pushed=True, errors_after=3) == (
        PushState.WARNING,
        "retrying",
    )
    assert push_state(failures_in_row=3, failure=down, has_pushed=True, errors_after=3) == (
        PushState.ERROR,
        "unreachable",
    )


def test_a_wrong_password_is_an_error_at_once() -> None:
    wrong = PushFailure.WRONG_PASSWORD
    assert push_state(failures_in_row=1, failure=wrong, has_pushed=True, errors_after=3) == (
        PushState.ERROR,
        "wrong_password",
    )
