"""The ``icalbridge`` command: one entry point, sub-commands with --help."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icalbridge.settings")
    import django
    from django.apps import apps

    # A second set-up would reconfigure logging onto whatever stderr is now (a test's capture).
    if not apps.ready:
        django.setup()


def _run(args: argparse.Namespace) -> int:
    from icalbridge.commands.run import run

    return run(host=args.host, port=args.port, demo=args.demo, web_workers=args.web_workers)


def _worker(args: argparse.Namespace) -> int:
    from icalbridge.commands.worker import run_worker

    run_worker(args.threads)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.utils.translation import gettext as _

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    print(_("The database is up to date."))
    return 0


def _createuser(args: argparse.Namespace) -> int:
    from icalbridge.commands.users import create_user

    return create_user(args.email, args.password, api_token=args.api_token, org=args.org)


def _inspect(args: argparse.Namespace) -> int:
    if _is_feed_link(args):
        from icalbridge.doctor import doctor_main

        return doctor_main(args.rest)
    from icalbridge.inspect import inspect_main

    return inspect_main(args.rest)


def _is_feed_link(args: argparse.Namespace) -> bool:
    """Tell whether ``inspect`` was given a link rather than a file.

    A link is diagnosed: fetched as the worker would, under the settings' fetch policy.
    """
    links = ("http://", "https://", "webcal://", "webcals://")
    return bool(args.rest) and str(args.rest[0]).lower().startswith(links)


def _import_now(args: argparse.Namespace) -> int:
    from icalbridge.commands.channels import import_now_command

    return import_now_command(args.channel, run_all=args.all)


def _status(args: argparse.Namespace) -> int:
    from icalbridge.commands.channels import status_command

    return status_command()


def _export(args: argparse.Namespace) -> int:
    from icalbridge.commands.channels import export_command

    return export_command(args.channel)


def _backup(args: argparse.Namespace) -> int:
    from icalbridge.commands.backup import backup_command

    return backup_command(args.file)


def _restore(args: argparse.Namespace) -> int:
    from icalbridge.commands.backup import restore_command

    return restore_command(args.file)


def _simulate(args: argparse.Namespace) -> int:
    from icalbridge.sim.run import simulate_main

    return simulate_main(args)


def _simulate_merge(args: argparse.Namespace) -> int:
    from icalbridge.sim.run import merge_main

    return merge_main(args)


def _needs_hub(args: argparse.Namespace) -> bool:
    """Tell whether a sub-command needs the hub's settings; ``inspect FILE`` reads a file only."""
    return args.command != "inspect" or _is_feed_link(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="icalbridge", description="Keep holiday-rental and agenda calendars in sync."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str, handler: Callable[[argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    p = add("run", _run, "Migrate, then start the web server and one worker.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--demo", action="store_true", help="load a demo when the database is empty")
    p.add_argument("--web-workers", type=int, default=2)

    p = add("worker", _worker, "Run a worker alone: import channels when due.")
    p.add_argument("--threads", type=int, default=4, help="imports running at once")

    p = add("migrate", _migrate, "Create or update the database tables.")
    p.add_argument("--verbose", action="store_true")

    p = add("createuser", _createuser, "Create a user with an organization of their own.")
    p.add_argument("email")
    p.add_argument("--password", required=True)
    p.add_argument("--api-token", action="store_true", help="print an API token on the last line")
    p.add_argument("--org", default=None, help="name of the organization")

    p = add(
        "inspect",
        _inspect,
        "Show what a feed file holds, or fetch a feed link and explain what is wrong with it.",
    )
    p.add_argument(
        "rest", nargs=argparse.REMAINDER, help="FILE|URL [--tz ZONE] [--json] [--lang en|fr]"
    )

    p = add("import-now", _import_now, "Import one channel (or all) at once.")
    p.add_argument("channel", nargs="?", help="channel id")
    p.add_argument("--all", action="store_true")

    add("status", _status, "Show every channel and its state.")

    p = add("export", _export, "Print a channel's export feed.")
    p.add_argument("channel", help="channel id")

    p = add("simulate", _simulate, "Run the hub in a simulated world of booking platforms.")
    p.add_argument("scenario", help="scenario name (default, long) or JSON file")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--every-poll", action="store_true", help="let the hub make every poll")
    p.add_argument("--units", type=int, help="override the scenario's number of units")
    p.add_argument("--days", type=float, help="override the scenario's number of days")
    p.add_argument(
        "--parts", type=int, default=1, help="split the units over this many hubs run side by side"
    )
    p.add_argument("--part", type=int, help="run only this part (0-based), to merge later")

    p = add("simulate-merge", _simulate_merge, "Merge the saved reports of every part of a world.")
    p.add_argument("reports", nargs="+", help="the JSON reports of simulate --part K --json")

    p = add("backup", _backup, "Write all the hub's data to a file (JSON lines; .gz to compress).")
    p.add_argument("file")

    p = add("restore", _restore, "Load a backup into an empty database.")
    p.add_argument("file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        os.environ.setdefault("ICALBRIDGE_PUBLIC_URL", f"http://{args.host}:{args.port}")
    if args.command == "run" and args.demo:
        # The demo's channels import feeds served by this very server, on loopback.
        os.environ.setdefault("ICALBRIDGE_DEMO_FEEDS", "1")
        os.environ.setdefault("ICALBRIDGE_ALLOW_PRIVATE_URLS", "127.0.0.1/32")
    from icalbridge.commands.language import cli_language, setup_translations

    if _needs_hub(args):
        setup_django()
    else:
        setup_translations()
    from django.utils import translation

    # What the command prints from the catalogues (statuses, errors) follows LANG.
    with translation.override(cli_language()):
        return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
