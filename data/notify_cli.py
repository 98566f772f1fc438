"""`python -m data notify [--dry-run]`: one JSON line per message on stdout, every failure on stderr and on /admin."""
from __future__ import annotations

import json
import sys
from collections.abc import Mapping

from auth.mail import Mailer
from data.notify import run_notify, start_run
from data.notify_settings import load_notify_settings
from data.schema import schema_state
from data.settings import Settings, SettingsError

OK, REFUSED, UNUSABLE, SOME_FAILED = 0, 1, 2, 4


def notify(engine, settings: Settings, environment: Mapping[str, str], *, dry_run: bool) -> int:
    """Send what is due now by settings.now(); exit 4 when a message failed (it is tried again next run)."""
    state = schema_state(engine)
    if not state.is_current:
        print(f"error: the database schema is at {state.current or 'nothing'}, the code needs {state.head}: "
              "run `python -m data migrate`", file=sys.stderr)
        return REFUSED
    now = settings.now()
    try:
        notify_settings = load_notify_settings(environment, settings, sending=not dry_run)
    except SettingsError as problem:
        print(f"configuration error: {problem}", file=sys.stderr)
        if not dry_run:
            # Shown on /admin as the last run, so the admins see why nobody is woken.
            start_run(engine, now=now, problem=f"configuration error: {problem}")
        return UNUSABLE
    common = dict(now=now, policy=settings.reply_policy, public_url=notify_settings.public_url,
                  digest_hour=notify_settings.digest_hour)
    if dry_run:
        result = run_notify(engine, send=None, **common)
    else:
        with Mailer(notify_settings.mail) as mailer:
            result = run_notify(engine, send=mailer.send, token_problem=lambda: mailer.token_problem, **common)
    for notice in result.sent:
        print(json.dumps(notice.as_json(), ensure_ascii=False))
    if result.problem:
        print(f"error: {result.problem}", file=sys.stderr)
    for notice, error in result.failed:
        print(f"not sent, tried again next run: {json.dumps(notice.as_json(), ensure_ascii=False)}: {error}",
              file=sys.stderr)
    return SOME_FAILED if result.failed else OK
