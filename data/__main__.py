"""Command line: `python -m data COMMAND` (see CONTRACTS.md)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from board.periods import Period, helsinki_date
from data.aggregates import rebuild as rebuild_aggregates
from data.db import make_engine, session_scope
from data.demo import DemoRefused, is_empty, seed_demo
from data.organisation import UnitFileError, read_unit_rows, upsert_units
from data.schema import schema_state, upgrade
from data.access import GrantError, add_grant
from data.huddle_board import BOARD_DAYS, metrics_for
from data.units import UnknownUnit
from data.settings import SettingsError, load_settings

CLI_ACTOR = "cli"
OK, REFUSED, UNUSABLE = 0, 1, 2
SOME_REJECTED = 3
REJECTS_LISTED = 20
NOTES = {"nhs_not_nps": "the NHS FFT answer (1-5, 1 = very good) is not an NPS and was not imported as one"}
# Why a file was refused, in words; {detail} is the limit (or the line) the reader gave.
REFUSAL_WORDS = {
    "import.file.too_big": "the file is larger than {detail} MB (VARTTI_IMPORT_MAX_BYTES)",
    "import.file.too_many_rows": "the file has more than {detail} rows (VARTTI_IMPORT_MAX_ROWS)",
    "import.file.too_many_columns": "a row has more than {detail} columns (VARTTI_IMPORT_MAX_COLUMNS)",
    "import.file.cell_too_long": "a cell is longer than {detail} characters (VARTTI_IMPORT_MAX_CELL_CHARS)",
    "import.file.unzipped_too_big": "the workbook unpacks to more than {detail} MB (VARTTI_IMPORT_MAX_UNZIPPED_BYTES)",
    "import.file.packed_too_tightly": "a part of the workbook unpacks to more than {detail} times its size (a zip bomb)",
    "import.file.mixed_encoding": "the file mixes UTF-8 and Windows-1252 (first at line {detail}); save it as UTF-8",
    "import.file.encoding": "the file is neither UTF-8 nor Windows-1252 (line {detail})",
}


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _require_current_schema(engine) -> None:
    state = schema_state(engine)
    if not state.is_current:
        raise CliError(f"the database schema is at {state.current or 'nothing'}, the code needs "
                       f"{state.head}: run `python -m data migrate`", REFUSED)


def cmd_migrate(engine, settings, args) -> int:
    upgrade(engine)
    print(f"schema at {schema_state(engine).head}")
    return OK


def cmd_units(engine, settings, args) -> int:
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
        rows = read_unit_rows(text)
    except (OSError, UnicodeDecodeError, UnitFileError) as problem:
        raise CliError(f"units file unusable, nothing written: {problem}", UNUSABLE) from None
    _require_current_schema(engine)
    with session_scope(engine, write=True) as session:
        summary = upsert_units(session, rows, actor=CLI_ACTOR, now=settings.now())
    print(json.dumps(summary.__dict__))
    return OK


def cmd_seed_demo(engine, settings, args) -> int:
    _require_current_schema(engine)
    with session_scope(engine, write=True) as session:
        if args.if_empty and not is_empty(session):
            print("database has data; demo county not loaded")
            return OK
        try:
            summary = seed_demo(session, seed=args.seed, now=settings.now())
        except DemoRefused as refusal:
            raise CliError(f"refused: {refusal}; seed-demo only loads into an empty database",
                           REFUSED) from None
    print(json.dumps(summary.__dict__))
    _train_demo_suggestions(engine, settings)
    return OK


def _train_demo_suggestions(engine, settings) -> None:
    """The demo county ships with tagged history; its model is trained at once so suggestions are alive."""
    from data.topics import TooFewTags, train_topic_model

    try:
        with session_scope(engine, write=True) as session:
            row = train_topic_model(session, actor=CLI_ACTOR, now=settings.now())
            print(f"topic suggestions trained on {row.examples} tagged comments", file=sys.stderr)
    except TooFewTags:
        pass


def cmd_metrics(engine, settings, args) -> int:
    _require_current_schema(engine)
    now = settings.now()
    period = None
    if args.date_from or args.date_to:
        last = args.date_to or helsinki_date(now)
        first = args.date_from or last - timedelta(days=BOARD_DAYS - 1)
        if last < first:
            raise CliError("--to is before --from", UNUSABLE)
        period = Period(first, last)
    with session_scope(engine) as session:
        try:
            metrics = metrics_for(session, unit_code=args.unit, period=period, now=now,
                                  settings=settings)
        except UnknownUnit as unknown:
            raise CliError(f"unknown unit: {unknown.code}", UNUSABLE) from None
    print(json.dumps(metrics.as_json(), ensure_ascii=False))
    return OK


def cmd_aggregates_rebuild(engine, settings, args) -> int:
    _require_current_schema(engine)
    with session_scope(engine, write=True) as session:
        rows = rebuild_aggregates(session)
    print(json.dumps(rows))
    return OK


def cmd_grant(engine, settings, args) -> int:
    _require_current_schema(engine)
    try:
        with session_scope(engine, write=True) as session:
            grant = add_grant(session, actor=None, principal=args.principal, role=args.role,
                              unit_code=args.unit, now=settings.now())
            shown = {"principal": grant.principal, "role": grant.role, "unit": args.unit.strip()}
    except GrantError as problem:
        raise CliError(str(problem), UNUSABLE) from None
    print(json.dumps(shown, ensure_ascii=False))
    return OK


def _unusable(problem) -> str:
    """A refused file's reason in words, with its key (the key is what /admin translates)."""
    words = REFUSAL_WORDS.get(problem.reason)
    return f"{words.format(detail=problem.detail)} [{problem.reason}]" if words else str(problem)


def cmd_import(engine, settings, args) -> int:
    from data.feedback_files import UnknownProfile
    from data.file_reading import FileUnusable, check_file_size
    from data.import_worker import PrepareFailed, import_file
    from data.imports import prepare_import

    limits = settings.import_limits
    try:
        # The size is checked before the file is read into memory.
        check_file_size(Path(args.file).stat().st_size, limits)
        content = Path(args.file).read_bytes()
    except OSError as problem:
        raise CliError(f"file unusable, nothing written: {problem}", UNUSABLE) from None
    except FileUnusable as problem:
        raise CliError(f"file unusable, nothing written: {_unusable(problem)}", UNUSABLE) from None
    _require_current_schema(engine)
    try:
        if args.dry_run:
            with session_scope(engine) as session:
                summary = prepare_import(session, actor=None, content=content, file_name=Path(args.file).name,
                                         profile=args.profile, limits=limits).summary
        else:
            # Prepared in a read transaction; the write lock is held only while the rows are inserted.
            summary = import_file(engine, actor=None, content=content, file_name=Path(args.file).name,
                                  profile=args.profile, now=settings.now(), limits=limits)
    except UnknownProfile:
        raise CliError(f"unknown profile {args.profile!r}", UNUSABLE) from None
    except FileUnusable as problem:
        raise CliError(f"file unusable, nothing written: {_unusable(problem)}", UNUSABLE) from None
    except PrepareFailed as problem:
        raise CliError(f"import failed, nothing written: {problem}", UNUSABLE) from None
    print(json.dumps(summary.as_json()))
    if not args.dry_run and summary.inserted:
        _retrain_topics(engine, settings)
    for note in summary.notes:
        print(f"note: {NOTES.get(note, note)}", file=sys.stderr)
    for reject in summary.rejects[:REJECTS_LISTED]:
        print(f"row {reject.row_number}, column {reject.column}: {reject.reason.removeprefix('import.reason.')}",
              file=sys.stderr)
    if summary.rejected + summary.conflicts > REJECTS_LISTED:
        print(f"… {summary.rejected + summary.conflicts - REJECTS_LISTED} more; all are kept on /admin",
              file=sys.stderr)
    return OK if summary.all_taken else SOME_REJECTED


def _retrain_topics(engine, settings) -> None:
    from data.topics import retrain_when_due

    model = retrain_when_due(engine, now=settings.now())
    if model is not None:
        print(f"note: topic suggestions retrained from {model.examples} tagged comments", file=sys.stderr)


def cmd_import_dir(engine, settings, args) -> int:
    from data.drop_watcher import watch_folder
    from data.feedback_files import UnknownProfile, load_profile

    try:
        load_profile(args.profile)
    except UnknownProfile:
        raise CliError(f"unknown profile {args.profile!r}", UNUSABLE) from None
    _require_current_schema(engine)
    usable = watch_folder(engine, folder=Path(args.dir), profile=args.profile, settings=settings, once=args.once,
                          interval=args.interval, unusable=_unusable)
    return OK if usable else UNUSABLE


def cmd_export(engine, settings, args) -> int:
    from data.export import export_feedback

    _require_current_schema(engine)
    period = None
    if args.date_from or args.date_to:
        first = args.date_from or date(1900, 1, 1)
        last = args.date_to or date(9999, 12, 30)
        if last < first:
            raise CliError("--to is before --from", UNUSABLE)
        period = Period(first, last)
    with session_scope(engine) as session:
        try:
            if args.out:
                with open(args.out, "w", encoding="utf-8", newline="") as out:
                    count = export_feedback(session, viewer=None, unit_code=args.unit, period=period,
                                            policy=settings.reply_policy, out=out)
            else:
                count = export_feedback(session, viewer=None, unit_code=args.unit, period=period,
                                        policy=settings.reply_policy, out=sys.stdout)
        except UnknownUnit as unknown:
            raise CliError(f"unknown unit: {unknown.code}", UNUSABLE) from None
    print(f"exported {count} rows", file=sys.stderr)
    return OK


def cmd_report(engine, settings, args) -> int:
    from data.report_cli import write_report

    _require_current_schema(engine)
    return write_report(engine, settings, unit_code=args.unit, period_text=args.period, out=Path(args.out))


def cmd_notify(engine, settings, args) -> int:
    from data.notify_cli import notify

    return notify(engine, settings, os.environ, dry_run=args.dry_run)


def cmd_suggest_eval(engine, settings, args) -> int:
    from data.suggest_eval import EvalFileUnusable, evaluate, read_rows

    try:
        train_rows = read_rows(Path(args.train).read_text(encoding="utf-8-sig"), language=args.language)
        test_rows = read_rows(Path(args.test).read_text(encoding="utf-8-sig"), language=args.language)
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            summary = evaluate(train_rows, test_rows, out)
    except (OSError, UnicodeDecodeError, EvalFileUnusable) as problem:
        raise CliError(f"file unusable: {problem}", UNUSABLE) from None
    print(json.dumps(summary))
    return OK


def cmd_suggestions_train(engine, settings, args) -> int:
    from data.topics import TooFewTags, train_topic_model

    _require_current_schema(engine)
    try:
        with session_scope(engine, write=True) as session:
            row = train_topic_model(session, actor=CLI_ACTOR, now=settings.now(),
                                    cross_validate=not args.no_figures)
            shown = {"model": row.id, "examples": row.examples, "topics": len((row.scores or {}).get("counts", {}))}
    except TooFewTags as problem:
        raise CliError(f"not trained: {problem}", REFUSED) from None
    print(json.dumps(shown))
    return OK


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1
    if not 0.1 <= seconds <= 86_400:
        raise argparse.ArgumentTypeError(f"not a number of seconds between 0.1 and 86400: {text!r}")
    return seconds


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m data", description="Vartti data commands")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the schema").set_defaults(run=cmd_migrate)
    units = commands.add_parser("units", help="create or update the organisation tree from a CSV")
    units.add_argument("file")
    units.set_defaults(run=cmd_units)
    seed = commands.add_parser("seed-demo", help="load the demo county into an empty database")
    seed.add_argument("--seed", type=int, default=1)
    seed.add_argument("--if-empty", action="store_true",
                      help="do nothing (exit 0) when the database already has data")
    seed.set_defaults(run=cmd_seed_demo)
    grant = commands.add_parser("grant", help="give a group, sub or e-mail a role on a unit's subtree")
    grant.add_argument("principal")
    grant.add_argument("--role", required=True)
    grant.add_argument("--unit", required=True)
    grant.set_defaults(run=cmd_grant)
    metrics = commands.add_parser("metrics", help="print a unit's figures as JSON")
    metrics.add_argument("--unit", required=True)
    metrics.add_argument("--from", dest="date_from", type=_iso_date)
    metrics.add_argument("--to", dest="date_to", type=_iso_date)
    metrics.set_defaults(run=cmd_metrics)
    imports = commands.add_parser("import", help="import a feedback file (CSV or .xlsx)")
    imports.add_argument("file")
    imports.add_argument("--profile", default="native", help="import profile (data/profiles/NAME.toml)")
    imports.add_argument("--dry-run", action="store_true", help="count and check, write nothing")
    imports.set_defaults(run=cmd_import)
    watch = commands.add_parser("import-dir", help="import every feedback file that lands in a drop folder")
    watch.add_argument("dir")
    watch.add_argument("--profile", default="native", help="import profile (data/profiles/NAME.toml)")
    watch.add_argument("--once", action="store_true", help="take the files there now, then stop")
    watch.add_argument("--interval", type=_seconds, default=10.0, help="seconds between looks (default 10)")
    watch.set_defaults(run=cmd_import_dir)
    export = commands.add_parser("export", help="write a unit subtree's feedback as native CSV")
    export.add_argument("--unit", required=True)
    export.add_argument("--from", dest="date_from", type=_iso_date)
    export.add_argument("--to", dest="date_to", type=_iso_date)
    export.add_argument("--out")
    export.set_defaults(run=cmd_export)
    notify = commands.add_parser("notify", help="wake the units' feedback handlers and send their daily digests")
    notify.add_argument("--dry-run", action="store_true", help="print what would be sent; send and store nothing")
    notify.set_defaults(run=cmd_notify)
    suggestions = commands.add_parser("suggestions", help="topic suggestions learned from the staff's tags")
    suggestion_commands = suggestions.add_subparsers(dest="suggestions_command", required=True)
    training = suggestion_commands.add_parser("train", help="train on every tag a person decided")
    training.add_argument("--no-figures", action="store_true",
                          help="skip the cross-validated precision and recall shown on /admin (faster)")
    training.set_defaults(run=cmd_suggestions_train)
    evaluation = commands.add_parser("suggest-eval", help="train topic suggestions on a labelled CSV, predict another")
    evaluation.add_argument("--train", required=True)
    evaluation.add_argument("--test", required=True)
    evaluation.add_argument("--out", required=True)
    evaluation.add_argument("--language", default="en", choices=["fi", "sv", "en"],
                            help="language of rows without a `language` column (for stemming)")
    evaluation.set_defaults(run=cmd_suggest_eval, needs_database=False)
    aggregates = commands.add_parser("aggregates", help="the daily and monthly aggregates the period figures are summed from")
    aggregate_commands = aggregates.add_subparsers(dest="aggregates_command", required=True)
    aggregate_commands.add_parser("rebuild", help="recompute them from scratch from the feedback rows") \
        .set_defaults(run=cmd_aggregates_rebuild)
    report = commands.add_parser("report", help="the printable report of /report as PDF")
    report.add_argument("--unit", required=True)
    report.add_argument("--period", required=True, help="YYYY-MM, YYYY-QN or YYYY")
    report.add_argument("--out", required=True)
    report.set_defaults(run=cmd_report)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
        engine = make_engine(settings.database_url)
        return args.run(engine, settings, args)
    except SettingsError as problem:
        print(f"configuration error: {problem}", file=sys.stderr)
        return UNUSABLE
    except CliError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return problem.code
    except (OperationalError, OSError) as problem:
        shown = make_url(settings.database_url).render_as_string(hide_password=True)
        print(f"error: cannot use the database {shown}: {getattr(problem, 'orig', problem)}", file=sys.stderr)
        return REFUSED


if __name__ == "__main__":
    sys.exit(main())
