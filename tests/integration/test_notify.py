"""`python -m data notify`: the handler is woken, and has a digest in the morning, through a stand-in of Graph.

Real HTTPS servers on 127.0.0.1 (tests/integration/graph_support): the token endpoint at /tenant and a
sendMail stand-in that keeps what it accepted, like the handler's mailbox. The CLI runs in-process on
SQLite and PostgreSQL with its clock pinned by VARTTI_NOW.
"""
from __future__ import annotations

import json
import socket
from contextlib import ExitStack
from datetime import datetime, timedelta

import pytest
import trustme
from sqlmodel import select

from auth.access import Grant, Viewer
from auth.roles import Role
from data.__main__ import main
from data.db import session_scope
from data.handlers import add_handler, last_notify_run
from data.models import AuditEvent, UserPreference
from data.sign_ins import begin_sign_in
from data.notify_tables import NotifyRun
from tests.factories import add_feedback, make_tree
from tests.integration.graph_support.mailbox import MailStandIn
from tests.integration.graph_support.servers import CLIENT_ID, CLIENT_SECRET, TENANT, TokenEndpoint, serve_https

SENDER = "vartti@hyvinvointialue.example"
HANDLER = "kasittelija@hyvinvointialue.example"
PUBLIC_URL = "https://vartti.hyvinvointialue.example"
ADMIN = Viewer(subject="admin@hyvinvointialue.example", name="Pääkäyttäjä", grants=(Grant(Role.ADMIN, "C", "/"),))
CUSTOMER_TEXT = "Lääkäri Virtanen oli töykeä, soittakaa 040 1234567"

# Helsinki is UTC+2 in November: 04:00 UTC is 06:00 there, before the 07:00 digest.
BEFORE_DIGEST = datetime(2026, 11, 23, 4, 0)
NEXT_MORNING = datetime(2026, 11, 24, 5, 30)   # 07:30 in Helsinki
NEW_ITEM_AT = datetime(2026, 11, 23, 3, 0)
OVERDUE_ITEM_AT = datetime(2026, 11, 1, 9, 0)  # 14 days passed on 15 November


@pytest.fixture(autouse=True)
def no_ca_bundle_in_environment(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory) -> tuple[trustme.CA, str]:
    ca = trustme.CA()
    path = str(tmp_path_factory.mktemp("ca") / "ca.pem")
    ca.cert_pem.write_to_path(path)
    return ca, path


@pytest.fixture
def graph(ca_file, monkeypatch, database_url):
    """The token endpoint and the sendMail stand-in up, and the environment the CLI reads pointing at them."""
    ca, path = ca_file
    login = TokenEndpoint(clients={CLIENT_ID: CLIENT_SECRET})
    mailbox = MailStandIn(issued=login.issued, sender=SENDER)
    with ExitStack() as servers:
        login_url = servers.enter_context(serve_https(login, ca))
        graph_url = servers.enter_context(serve_https(mailbox, ca))
        login.scope = f"{graph_url}/.default"
        mailbox.login = login
        environment = {
            "VARTTI_DATABASE_URL": database_url, "VARTTI_DEMO": "1",
            "VARTTI_GRAPH_TENANT": f"{login_url}/{TENANT}", "VARTTI_GRAPH_CLIENT_ID": CLIENT_ID,
            "VARTTI_GRAPH_CLIENT_SECRET": CLIENT_SECRET, "VARTTI_GRAPH_URL": graph_url,
            "VARTTI_GRAPH_CA_BUNDLE": path, "VARTTI_NOTIFY_SENDER": SENDER, "VARTTI_PUBLIC_URL": PUBLIC_URL,
        }
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        for name in ("VARTTI_REPLY_DAYS", "VARTTI_DIGEST_HOUR"):
            monkeypatch.delenv(name, raising=False)
        yield mailbox


@pytest.fixture
def notify(monkeypatch, capsys, graph):
    """Run `notify` at a moment (naive UTC); returns (exit code, JSON lines of stdout, stderr)."""

    def run(at: datetime, *options: str) -> tuple[int, list[dict], str]:
        monkeypatch.setenv("VARTTI_NOW", at.isoformat() + "+00:00")
        capsys.readouterr()
        code = main(["notify", *options])
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines()], err

    return run


@pytest.fixture
def county(engine):
    """U1 with one handler, a new item asking for a reply (with customer text) and an overdue one."""
    with session_scope(engine, write=True) as session:
        make_tree(session, BEFORE_DIGEST)
        add_handler(session, viewer=ADMIN, unit_code="U1", address=HANDLER, now=BEFORE_DIGEST)
        add_feedback(session, "U1", NEW_ITEM_AT, reply_requested=True, free_text=CUSTOMER_TEXT, nps=2)
        add_feedback(session, "U1", OVERDUE_ITEM_AT, reply_requested=True, free_text=CUSTOMER_TEXT)
        add_feedback(session, "U1", NEW_ITEM_AT, reply_requested=False, free_text="Ei vastausta pyydetty")
        add_feedback(session, "U2", NEW_ITEM_AT, reply_requested=True)  # U2 has no handlers
    return engine


def test_the_handler_is_woken_once_for_a_new_item_and_has_a_digest_the_next_morning(county, notify, graph):
    code, lines, _ = notify(BEFORE_DIGEST)
    assert code == 0
    assert lines == [{"to": [HANDLER], "unit": "U1", "kind": "wake", "new": 1, "due_soon": 0, "overdue": 1}]
    (wake,) = graph.inbox_of(HANDLER)
    assert wake.sender == SENDER and "uusi vastausta pyytävä palaute" in wake.subject

    assert notify(datetime(2026, 11, 23, 4, 5)) == (0, [], "")  # cron, five minutes later: nothing

    code, lines, _ = notify(NEXT_MORNING)
    assert code == 0
    assert lines == [{"to": [HANDLER], "unit": "U1", "kind": "digest", "new": 0, "due_soon": 0, "overdue": 1}]
    assert [mail.subject.startswith("Vartti: vastattavat") for mail in graph.inbox_of(HANDLER)] == [False, True]

    assert notify(datetime(2026, 11, 24, 5, 35)) == (0, [], "")
    assert len(graph.received) == 2


def test_a_message_holds_counts_the_unit_and_a_link_never_what_the_customer_wrote(county, notify, graph):
    notify(BEFORE_DIGEST)
    notify(NEXT_MORNING)
    for mail in graph.received:
        assert "Virtanen" not in mail.body + mail.subject and "040" not in mail.body
        assert "Keskustan terveysasema" in mail.subject
        assert f"{PUBLIC_URL}/inbox?unit=U1" in mail.body


def test_a_dry_run_prints_the_messages_and_sends_and_stores_nothing(county, notify, graph):
    code, lines, _ = notify(NEXT_MORNING, "--dry-run")
    assert code == 0 and [line["kind"] for line in lines] == ["wake", "digest"]
    assert graph.requests == []
    assert notify(NEXT_MORNING)[1] == lines  # the real run sends the very same


def test_a_failing_graph_gives_exit_4_and_the_next_run_sends_what_failed(county, notify, graph):
    graph.down = True
    code, lines, err = notify(BEFORE_DIGEST)
    assert code == 4 and lines == [] and "HTTP 503: ServiceUnavailable" in err
    graph.down = False
    code, lines, _ = notify(datetime(2026, 11, 23, 4, 5))
    assert code == 0 and [line["kind"] for line in lines] == ["wake"]
    assert notify(datetime(2026, 11, 23, 4, 10)) == (0, [], "")
    assert len(graph.received) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("VARTTI_GRAPH_CLIENT_SECRET", "wrong-secret-8Kp", "token refused"),
        ("VARTTI_GRAPH_URL", "https://127.0.0.1:{port}", "sendMail unreachable"),
        ("VARTTI_GRAPH_TENANT", "https://127.0.0.1:{port}/tenant", "no token from"),
        ("VARTTI_NOTIFY_SENDER", "toinen@hyvinvointialue.example", "HTTP 403: ErrorAccessDenied"),
    ],
)
def test_a_refused_token_or_unreachable_graph_is_reported_on_admin_and_nothing_is_lost(
        county, notify, graph, monkeypatch, setting, value, said):
    value = value.format(port=_closed_port())
    monkeypatch.setenv(setting, value)
    if setting == "VARTTI_GRAPH_URL":
        graph.login.scope = f"{value}/.default"  # the token is had; Graph itself is not there
    code, lines, err = notify(BEFORE_DIGEST)
    assert code == 4 and lines == [] and said in err
    assert "wrong-secret" not in err
    with session_scope(county) as session:
        run = last_notify_run(session, viewer=ADMIN)
    assert run.sent == 0 and run.failed == 1 and said in run.failures[0]["error"]


def test_a_fixed_setting_sends_on_the_next_run(county, notify, graph, monkeypatch):
    monkeypatch.setenv("VARTTI_GRAPH_CLIENT_SECRET", "wrong-secret-8Kp")
    assert notify(BEFORE_DIGEST)[0] == 4
    monkeypatch.setenv("VARTTI_GRAPH_CLIENT_SECRET", CLIENT_SECRET)
    code, lines, _ = notify(datetime(2026, 11, 23, 4, 5))
    assert code == 0 and len(lines) == 1 and len(graph.received) == 1


def test_an_address_graph_refuses_holds_up_only_itself_and_is_named_on_admin(county, notify, graph):
    bounced = "ei-ole@hyvinvointialue.example"
    with session_scope(county, write=True) as session:
        add_handler(session, viewer=ADMIN, unit_code="U1", address=bounced, now=BEFORE_DIGEST)
    graph.refused_addresses = {bounced}
    code, lines, err = notify(BEFORE_DIGEST)
    assert code == 4 and [line["to"] for line in lines] == [[HANDLER]]
    assert bounced in err and "ErrorInvalidRecipients" in err
    with session_scope(county) as session:
        run = last_notify_run(session, viewer=ADMIN)
    assert [(f["to"], f["kind"]) for f in run.failures] == [([bounced], "wake")]
    code, lines, _ = notify(datetime(2026, 11, 23, 4, 5))  # still refused: tried again, the other not woken twice
    assert code == 4 and lines == [] and len(graph.inbox_of(HANDLER)) == 1


@pytest.mark.parametrize(
    ("setting", "value"),
    [("VARTTI_NOTIFY_SENDER", ""), ("VARTTI_GRAPH_CLIENT_SECRET", "change-me"), ("VARTTI_PUBLIC_URL", ""),
     ("VARTTI_PUBLIC_URL", "vartti.example"), ("VARTTI_DIGEST_HOUR", "25")],
)
def test_a_bad_setting_sends_nothing_exits_2_and_says_which_on_admin(county, notify, graph, monkeypatch,
                                                                      setting, value):
    monkeypatch.setenv(setting, value)
    code, lines, err = notify(BEFORE_DIGEST)
    assert code == 2 and lines == [] and setting in err and graph.requests == []
    with session_scope(county) as session:
        run = last_notify_run(session, viewer=ADMIN)
    assert setting in run.problem and "configuration error" in run.problem


@pytest.mark.parametrize(("saved", "subject_start"), [("sv", "Vartti: ny respons"), ("en", "Vartti: new feedback"),
                                                      (None, "Vartti: uusi")])
def test_the_message_is_in_the_language_the_handler_saved_else_finnish(county, notify, graph, saved, subject_start):
    if saved:
        with session_scope(county, write=True) as session:
            session.add(UserPreference(subject=HANDLER.upper(), language=saved, updated_at=BEFORE_DIGEST))
    notify(BEFORE_DIGEST)
    (mail,) = graph.received
    assert mail.subject.startswith(subject_start)


def test_the_handler_s_language_is_found_by_the_e_mail_recorded_on_sign_in_when_the_subject_is_not_it(
        county, notify, graph):
    # Entra's `sub` is opaque: the saved language is keyed by it, the handler address is the person's e-mail.
    with session_scope(county, write=True) as session:
        person = Viewer(subject="AbC123-opaque-sub", name="Käsittelijä", emails=(HANDLER.upper().lower(),))
        begin_sign_in(session, viewer=person, token_hash="t" * 64, issued_at=BEFORE_DIGEST, now=BEFORE_DIGEST,
                      max_age=timedelta(hours=12))
        session.add(UserPreference(subject="AbC123-opaque-sub", language="sv", updated_at=BEFORE_DIGEST))
        session.add(UserPreference(subject="someone-else", language="en", updated_at=BEFORE_DIGEST))
    notify(BEFORE_DIGEST)
    (mail,) = graph.received
    assert mail.subject.startswith("Vartti: ny respons")


def test_an_e_mail_recorded_on_sign_in_is_matched_in_any_case(county, notify, graph):
    with session_scope(county, write=True) as session:
        person = Viewer(subject="opaque-2", name="Käsittelijä", emails=(HANDLER.upper(),))
        begin_sign_in(session, viewer=person, token_hash="u" * 64, issued_at=BEFORE_DIGEST, now=BEFORE_DIGEST,
                      max_age=timedelta(hours=12))
        session.add(UserPreference(subject="opaque-2", language="en", updated_at=BEFORE_DIGEST))
    notify(BEFORE_DIGEST)
    (mail,) = graph.received
    assert mail.subject.startswith("Vartti: new feedback")


def test_every_message_sent_is_audited_and_the_run_is_kept(county, notify, graph):
    notify(BEFORE_DIGEST)
    with session_scope(county) as session:
        audited = session.exec(select(AuditEvent).where(AuditEvent.action.startswith("notify."))).all()
        runs = session.exec(select(NotifyRun)).all()
    assert [(a.action, a.entity_id, a.after["to"]) for a in audited] == [("notify.wake", "U1", [HANDLER])]
    assert [(r.sent, r.failed, r.problem) for r in runs] == [(1, 0, None)]
