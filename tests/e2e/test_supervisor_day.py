"""The supervisor's day in real Chromium, on the demo county: issue 4's "done when", step by step.

The day does not trust what the demo holds on a given date: before it starts it imports its own desk
(replies overdue, due soon and not yet due, fresh critical answers) dated from the server's clock. It
runs on the suite's pinned day and again on the days that break date arithmetic, each on its own server
whose clock is pinned there (VARTTI_NOW).

The supervisor of Keskustan terveysasema looks at the huddle board, works through the replies in the
inbox, groups two answers into a new theme and picks one as the customer's voice, moves the theme across
the kanban to done, logs and publishes an action, and finds all of it on the huddle board; the audit
trail holds every change. The steps build on each other, so they are one test.

Every click is followed by a wait for what it should bring (a toast, a moved card, the count of
feedback a filter should leave, read from the database) and then for Streamlit to be idle again.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, func
from sqlmodel import select

from data.inbox import COUNT_MOST, INBOX_PAGE
from data.db import make_engine, session_scope
from data.models import AuditEvent, Feedback, Theme, Unit
from data.organisation import in_subtree
from tests.e2e.conftest import PAGE_TIMEOUT_MS, DemoServer, demo_county, goto, settled_shot, shot, wait_for_app
from tests.import_support import native_csv, native_row

pytestmark = pytest.mark.e2e

UNIT = "PTH-TA-KESK"
UNIT_NAME = "Keskustan terveysasema, vastaanotto"
SUPERVISOR = "Esihenkilö – Keskustan terveysasema"
SUPERVISOR_SUBJECT = "demo:esihenkilo"  # how the demo supervisor appears in the audit trail
NPS_TITLE = "Suositteluindeksi (NPS), 30 pv"
INBOX_TITLE = "Palautteet"
KANBAN_TITLE = f"Kehittämistaulu: {UNIT_NAME}"

THEME = "E2E Takaisinsoittojen viive"
NO_REPLY_REASON = "Asiakas tavoitettiin puhelimitse samana päivänä."
ACTION_TEXT = "Takaisinsoitot jaettiin kahdelle hoitajalle joka aamupäivä."
PUBLIC_TEXT = "Soitamme takaisin saman päivän aikana."

# Days that break date arithmetic, each on a server of its own: the clock changes (the skipped and the
# repeated hour) and a Monday just after midnight, Helsinki wall times. `make test-dates` runs the whole
# suite, this day included, on the turn of the year and a leap day too.
PINNED_DAYS = ("2027-03-28T02:30", "2027-10-31T03:30", "2027-12-06T00:30")
# The desk the day imports, by age: (reply requested, NPS, answer).
DESK = (
    (timedelta(days=19), True, 3, "Odotin soittoa viikon, eikä kukaan soittanut takaisin."),
    (timedelta(days=15, hours=2), True, 5, "Ajanvaraus katkesi kolme kertaa, toivon yhteydenottoa."),
    (timedelta(days=12, hours=12), True, 4, "Lääkäri ei kuunnellut, haluaisin keskustella asiasta."),
    (timedelta(days=11, hours=6), True, 6, "Laskussa oli virhe, pyydän selvitystä."),
    (timedelta(days=3), True, 2, "Kukaan ei kertonut, miksi odotus venyi kahteen tuntiin."),
    (timedelta(hours=3), False, 1, "Aulassa ei ollut istumapaikkoja ja jono oli pitkä."),
    (timedelta(hours=1), False, 4, "Puhelinpalvelu oli ruuhkainen koko aamun."),
)

REPLY_TILES = ("tile-replies-overdue", "tile-replies-soon", "tile-replies-awaiting", "tile-replies-ok")
OVERDUE, DUE_SOON = "Myöhässä", "Erääntyy 3 pv:n sisällä"  # the inbox's deadline filter
LATE_BADGE = re.compile(r"Myöhässä( \d+ pv|, eräpäivä tänään)")  # an overdue item's deadline badge
FLOW = (("kehittamisryhmalla", "Kehittämisryhmällä"), ("kokeilussa", "Kokeilussa"), ("valmis", "Valmis"))
ITEMS = '[class*="st-key-inbox-item-"]'


def _key(page: Page, key: str) -> Locator:
    return page.locator(f".st-key-{key}")


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _choose(page: Page, scope: Locator, option: str) -> None:
    """Pick an option of the selectbox in `scope`; the caller waits for what the choice brings."""
    box = scope.get_by_role("combobox")
    expect(box).to_be_visible()  # the widget itself, not the grey placeholder shown while it loads
    listbox = page.get_by_role("listbox")
    for _ in range(3):
        # A combobox drawn by the run just before now and then takes its first click as focus only.
        box.click()
        try:
            expect(listbox).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            continue
    listbox.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


# --- The server of the day and its desk -------------------------------------------------------------

@pytest.fixture(scope="module", params=("suite", *PINNED_DAYS))
def day_server(request, tmp_path_factory) -> Iterator[DemoServer]:
    """The suite's demo server, or one of its own with the clock pinned to an awkward day; with the desk."""
    if request.param == "suite":
        server = request.getfixturevalue("demo_server")
        _import_desk(server, tmp_path_factory.mktemp("desk"))
        yield server
        return
    workdir = tmp_path_factory.mktemp("day")
    with demo_county(workdir, request.param) as server:
        _import_desk(server, workdir)
        yield server


def _import_desk(server: DemoServer, folder: Path) -> None:
    """The replies and fresh answers the day works through, dated from the server's clock."""
    now = server.now()
    rows = [native_row(f"desk-{number}", source="e2e-desk", unit_code=UNIT, nps=str(score), open_answer=answer,
                       received_at=(now - age).isoformat() + "+00:00", service_date="",
                       reply_requested="1" if requested else "0", saatavuus="")
            for number, (age, requested, score, answer) in enumerate(DESK)]
    path = folder / "desk.csv"
    path.write_text(native_csv(rows), encoding="utf-8")
    server.cli("import", str(path))


# --- The database, for what the pages should show ---------------------------------------------------

@pytest.fixture
def database(day_server: DemoServer) -> Iterator[Engine]:
    engine = make_engine(day_server.env["VARTTI_DATABASE_URL"])
    try:
        yield engine
    finally:
        engine.dispose()


def _count(engine: Engine, *conditions) -> int:
    """The unit's feedback that meets the conditions."""
    with session_scope(engine) as session:
        unit = session.exec(select(Unit).where(Unit.code == UNIT)).one()
        return session.exec(select(func.count()).select_from(Feedback)
                            .where(in_subtree(unit, Feedback.unit_id), *conditions)).one()


AWAITING = (Feedback.reply_requested, Feedback.replied_at.is_(None), Feedback.no_reply_reason.is_(None))
REQUESTED = (Feedback.reply_requested,)
DETRACTORS = (Feedback.nps <= 6,)


# --- The inbox -------------------------------------------------------------------------------------

def _shows_count(page: Page, total: int) -> None:
    """Wait until the inbox says it found `total` items, has drawn them (up to a page), and is idle."""
    cap = INBOX_PAGE + COUNT_MOST  # the inbox stops counting a thousand past the page it shows (the first)
    shown = f"{min(total, cap):,}".replace(",", " ")
    heading = "1 palaute" if total == 1 else (f"yli {shown}" if total > cap else shown) + " palautetta"
    expect(page.get_by_role("heading", level=3)
           .filter(has_text=re.compile(r"palautetta?$"))).to_have_text(re.compile(
               "^" + heading.replace(" ", r"\s") + "$"))
    expect(page.locator(ITEMS)).to_have_count(min(total, 50))
    if not total:
        expect(page.get_by_text("Ei palautteita näillä suodattimilla.")).to_be_visible()
    wait_for_app(page)


def _filter(page: Page, key: str, option: str, total: int) -> None:
    _choose(page, _key(page, key), option)
    _shows_count(page, total)


def _listed(page: Page) -> list[int]:
    """The ids of the feedback items on the inbox page, in the order shown."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[class*="st-key-inbox-item-"]')]
                  .map((el) => [...el.classList].find((c) => /^st-key-inbox-item-\\d+$/.test(c)))
                  .filter(Boolean)
                  .map((c) => parseInt(c.slice('st-key-inbox-item-'.length), 10))"""
    )


def _item(page: Page, feedback_id: int) -> Locator:
    return _key(page, f"inbox-item-{feedback_id}")


def _popover(page: Page, feedback_id: int, label: str) -> Locator:
    """Open an item's action popover and return its body (Streamlit draws it outside the item)."""
    _item(page, feedback_id).get_by_role("button", name=label).click()
    body = page.get_by_test_id("stPopoverBody").filter(visible=True)
    expect(body).to_have_count(1)
    return body


def _awaiting_by_deadline(page: Page, before: dict, awaiting: int) -> dict[str, list[int]]:
    """The items awaiting a reply: those the deadline filter calls overdue, due soon, and all of them.

    The counts are those of the CLI's `metrics`, which the huddle board shows.
    """
    found = {}
    for name, total, shot_name in ((OVERDUE, before["overdue_replies"], "day_02_inbox_overdue"),
                                   (DUE_SOON, before["due_soon_replies"], "day_02_inbox_due_soon"),
                                   ("Kaikki", awaiting, None)):
        _filter(page, "inbox-f-deadline", name, total)
        items = page.locator(ITEMS)
        if name == OVERDUE:
            expect(items.filter(has_text=LATE_BADGE)).to_have_count(total)
        elif name == DUE_SOON:
            # The deadline badge, not any text: a customer may well write that the doctor was "myöhässä".
            expect(items.filter(has_text=LATE_BADGE)).to_have_count(0)
        found[name] = _listed(page)
        if shot_name:
            settled_shot(page, shot_name)
    return found


# --- The kanban ------------------------------------------------------------------------------------

def _card_in(page: Page, stage: str, theme_id: int) -> Locator:
    return page.locator(f".st-key-column-{stage} .st-key-card-{theme_id}")


def _move(page: Page, theme_id: int, stage: str, label: str) -> bool:
    """Move the card with its select and button; confirm when a WIP limit asks. True if one asked."""
    card = _key(page, f"card-{theme_id}")
    _choose(page, card, label)
    go = card.get_by_role("button", name="Siirrä", exact=True)
    expect(card.get_by_test_id("stBaseButton-primary")).to_contain_text("Siirrä")  # the server has the choice
    wait_for_app(page)
    confirm = _key(page, f"confirm-{theme_id}").get_by_role("button")
    moved = _card_in(page, stage, theme_id)
    go.click()
    expect(moved.or_(confirm)).to_be_visible()
    asked = confirm.is_visible()
    if asked:
        expect(card).to_contain_text("WIP-raja")
        wait_for_app(page)
        settled_shot(page, f"day_04_kanban_wip_{stage}")
        confirm.click()
    wait_for_app(page, f"Teema siirretty vaiheeseen {label}.")
    expect(moved).to_be_visible()
    expect(page.locator(f".st-key-card-{theme_id}")).to_have_count(1)
    return asked


# --- The huddle board ------------------------------------------------------------------------------

def _open_board(page: Page, server: DemoServer) -> None:
    goto(page, server, f"/huddle?unit={UNIT}", text=NPS_TITLE, demo_person=SUPERVISOR)
    expect(page.locator(".st-key-wall h1")).to_have_text(UNIT_NAME)
    # Shoot only a fully drawn board: the trend line itself drawn (any svg would also match an icon),
    # the timer's frame loaded, and the pointer moved off the board.
    expect(page.locator('.st-key-panel-trend [data-testid="stVegaLiteChart"] svg.marks g.mark-line path')
           .first).to_be_visible()
    expect(page.frame_locator('[data-testid="stIFrame"]').get_by_role("button", name="10 min", exact=True)) \
        .to_be_visible()
    for panel in ("voice", "fixed"):
        expect(_key(page, f"panel-{panel}")).to_have_count(1)
    page.mouse.move(5, 1075)


def _assert_reply_tile(page: Page, metrics: dict) -> None:
    """The replies tile shows what the CLI's `metrics` counts now."""
    present = [key for key in REPLY_TILES if _key(page, key).count()]
    assert len(present) == 1, f"exactly one replies tile expected, found {present}"
    tile = present[0]
    text = _plain(_key(page, tile).inner_text())
    value = _plain(_key(page, tile).get_by_test_id("stMetricValue").inner_text()).replace(" ", "")
    overdue, soon = metrics["overdue_replies"], metrics["due_soon_replies"]
    if overdue:
        assert (tile, value) == ("tile-replies-overdue", str(overdue)), (tile, text, metrics)
        assert (f"Lisäksi {soon} erääntyy" in text) == bool(soon), (text, metrics)
    elif soon:
        assert (tile, value) == ("tile-replies-soon", str(soon)), (tile, text, metrics)
    elif tile == "tile-replies-awaiting":
        # Replies asked for but not due yet (metrics does not count them): a count, never a ✓.
        assert value.isdigit() and int(value) > 0, (tile, text, metrics)
    else:
        assert (tile, value) == ("tile-replies-ok", "✓"), (tile, text, metrics)
        assert "Ei avoimia vastauspyyntöjä" in text, text


# --- The day ---------------------------------------------------------------------------------------

def test_a_supervisors_day_from_the_inbox_to_the_huddle_board(page: Page, day_server: DemoServer, database,
                                                              page_errors):
    try:
        _the_day(page, day_server, database)
    except BaseException:
        shot(page, "day_failed")  # what the browser showed when a step failed
        raise
    assert page_errors == []


def _the_day(page: Page, demo_server: DemoServer, database: Engine) -> None:
    # A pinned clock stamps every audit row with the same moment, so the day's rows are those after this id.
    with session_scope(database) as session:
        audited_before = session.exec(select(func.max(AuditEvent.id))).one() or 0
    log_offset = demo_server.log_size()

    # 1. The huddle board in the morning: the replies tile and what the unit has fixed so far.
    before = demo_server.metrics(UNIT)
    _open_board(page, demo_server)
    _assert_reply_tile(page, before)
    fixed_before = _plain(_key(page, "panel-fixed").inner_text())
    assert fixed_before.startswith("Mitä olemme korjanneet") and PUBLIC_TEXT not in fixed_before, fixed_before
    expect(page.locator(".st-key-wall")).not_to_contain_text(THEME)
    settled_shot(page, "day_01_huddle_morning")

    # 2. The inbox: the replies awaiting, by deadline; one reply sent, one closed with a reason.
    goto(page, demo_server, "/inbox", text=INBOX_TITLE, demo_person=SUPERVISOR)
    _shows_count(page, _count(database))
    settled_shot(page, "day_02_inbox")
    awaiting = _count(database, *AWAITING)
    _filter(page, "inbox-f-status", "Odottaa vastausta", awaiting)
    by_deadline = _awaiting_by_deadline(page, before, awaiting)
    everything = by_deadline["Kaikki"]
    assert set(by_deadline[OVERDUE]) | set(by_deadline[DUE_SOON]) <= set(everything), by_deadline
    expect(page.locator(ITEMS).filter(has_text="Odottaa vastausta")).to_have_count(len(everything))
    settled_shot(page, "day_02_inbox_awaiting")
    # The most urgent first: an overdue reply if there is one, then one due soon, then any.
    urgent = by_deadline[OVERDUE] + by_deadline[DUE_SOON]
    replied_id, closed_id = (urgent + [i for i in everything if i not in urgent])[:2]

    body = _popover(page, replied_id, "Vastaus lähetetty")
    expect(body.get_by_text(f"Vastaajaksi merkitään {SUPERVISOR}.")).to_be_visible()
    settled_shot(page, "day_02_inbox_reply_form")
    _key(page, f"inbox-reply-save-{replied_id}").get_by_role("button").click()
    wait_for_app(page, "Vastaus merkitty lähetetyksi.")
    _shows_count(page, awaiting - 1)  # no longer awaiting
    expect(_item(page, replied_id)).to_have_count(0)

    body = _popover(page, closed_id, "Ei vastausta tarvita")
    body.get_by_role("textbox", name="Syy").fill(NO_REPLY_REASON)
    settled_shot(page, "day_02_inbox_no_reply_form")
    _key(page, f"inbox-noreply-save-{closed_id}").get_by_role("button").click()
    wait_for_app(page, "Merkitty: ei vastausta tarvita.")
    _shows_count(page, awaiting - 2)
    assert sorted(_listed(page)) == sorted(set(everything) - {replied_id, closed_id})

    # The inbox shows the new states among the feedback that asked for a reply.
    _filter(page, "inbox-f-status", "Kaikki", _count(database))
    _filter(page, "inbox-f-requested", "Kyllä", _count(database, *REQUESTED))
    replied = _item(page, replied_id)
    expect(replied).to_contain_text(re.compile(r"Vastattu \d{1,2}\.\d{1,2}\.\d{4}"))
    expect(replied).to_contain_text(SUPERVISOR)  # by whom
    expect(replied.get_by_role("button", name="Vastaus lähetetty")).to_have_count(0)
    closed = _item(page, closed_id)
    expect(closed).to_contain_text("Ei vastausta tarvita")
    expect(closed).to_contain_text(NO_REPLY_REASON)
    expect(closed.get_by_role("button", name="Ei vastausta tarvita", exact=True)).to_have_count(0)
    expect(closed.get_by_role("button", name="Vastaus lähetetty")).to_be_visible()  # a reply can still follow
    replied.scroll_into_view_if_needed()
    settled_shot(page, "day_02_inbox_states")

    # 3. Two critical answers with text go to a new theme; one of them becomes the customer's voice.
    # The filters are set back one by one, each with the count it should bring.
    _filter(page, "inbox-f-requested", "Kaikki", _count(database))
    _filter(page, "inbox-f-nps", "Arvostelijat (0–6)", _count(database, *DETRACTORS))
    with_text = [i for i in _listed(page)
                 if _key(page, f"inbox-quote-{i}").get_by_role("button", name="Nosta asiakkaan ääneksi").count()]
    assert len(with_text) >= 2, f"the first page of detractors should have two answers with text: {with_text}"
    grouped = with_text[:2]
    for number, feedback_id in enumerate(grouped, start=1):
        _key(page, f"inbox-pick-{feedback_id}").locator("label").click()
        expect(_key(page, "inbox-bulk")).to_contain_text(f"{number} valittuna")
        wait_for_app(page)
    _choose(page, _key(page, "inbox-bulk-action"), "Liitä teemaan")
    new_theme = _key(page, "inbox-bulk-new").get_by_role("textbox")
    expect(new_theme).to_be_visible()
    wait_for_app(page)
    new_theme.fill(THEME)
    settled_shot(page, "day_03_inbox_new_theme")
    _key(page, "inbox-bulk-do").get_by_role("button", name="Käsittele valitut (2)").click()
    wait_for_app(page, "2 palautetta käsitelty.")
    for feedback_id in grouped:
        expect(_item(page, feedback_id)).to_contain_text(f"Teemat: {THEME}")
        expect(_item(page, feedback_id).get_by_role("checkbox")).not_to_be_checked()
    expect(_key(page, "inbox-bulk")).to_contain_text("Rastita palautteita")

    quoted_id = grouped[0]
    quote_text = _plain(_item(page, quoted_id).get_by_test_id("stText").first.inner_text())
    assert quote_text, quoted_id
    _key(page, f"inbox-quote-{quoted_id}").get_by_role("button").click()
    wait_for_app(page, "Nostettu asiakkaan ääneksi huddle-taululle.")
    quoted = _item(page, quoted_id)
    expect(quoted.get_by_role("button", name="Poista asiakkaan äänistä")).to_be_visible()
    expect(quoted).to_contain_text("Asiakkaan ääni")  # the badge (case matters: not the buttons)
    quoted.scroll_into_view_if_needed()
    settled_shot(page, "day_03_inbox_theme_and_quote")

    # 4. The kanban: the new theme in Tunnistettu, moved to Valmis one stage at a time.
    goto(page, demo_server, f"/kanban?unit={UNIT}", text=KANBAN_TITLE, demo_person=SUPERVISOR)
    card = page.locator('[class*="st-key-card-"]').filter(has=page.get_by_text(THEME, exact=True))
    expect(card).to_have_count(1)
    theme_id = int(re.search(r"st-key-card-(\d+)", card.get_attribute("class"))[1])
    expect(_card_in(page, "tunnistettu", theme_id)).to_be_visible()
    expect(card).to_contain_text("Liitettyjä palautteita 2")
    expect(card).to_contain_text("Ei vastuuhenkilöä")
    card.scroll_into_view_if_needed()
    settled_shot(page, "day_04_kanban_identified")
    wip_asked = []
    for number, (stage, label) in enumerate(FLOW, start=1):
        if _move(page, theme_id, stage, label):
            wip_asked.append(stage)
        _key(page, f"card-{theme_id}").scroll_into_view_if_needed()
        settled_shot(page, f"day_04_kanban_{number}_{stage}")
    done_card = _card_in(page, "valmis", theme_id)
    expect(done_card).to_contain_text("0 pv vaiheessa")
    expect(done_card).to_contain_text("Ennen → jälkeen kehittämisen alun")  # it went through development

    # 5. The action log: an action with a public text, then published.
    _key(page, f"open-{theme_id}").get_by_role("button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(THEME)
    expect(dialog).to_contain_text("Vaihe: Valmis")
    expect(dialog).to_contain_text("Ei vielä kirjattuja toimenpiteitä.")
    wait_for_app(page)
    form = dialog.get_by_test_id("stForm")
    form.get_by_role("textbox", name="Mitä teimme", exact=True).fill(ACTION_TEXT)
    form.get_by_role("textbox", name="Suomeksi (tarvitaan julkaisuun)", exact=True).fill(PUBLIC_TEXT)
    settled_shot(page, "day_05_action_form")
    form.get_by_role("button", name="Kirjaa toimenpide").click()
    action = dialog.locator('[class*="st-key-action-"]')
    expect(action).to_have_count(1)
    wait_for_app(page, "Toimenpide kirjattu.")
    expect(action).to_contain_text(ACTION_TEXT)
    expect(action).to_contain_text(PUBLIC_TEXT)
    expect(action).to_contain_text("Ei julkaistu")
    settled_shot(page, "day_05_action_logged")
    action.locator('[class*="st-key-publish-"]').locator("label").click()
    wait_for_app(page, "Toimenpide julkaistu.")
    expect(action).to_contain_text(re.compile(r"Julkaistu \d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d{2}"))
    expect(action.get_by_role("checkbox").or_(action.get_by_role("switch"))).to_be_checked()
    settled_shot(page, "day_05_action_published")

    dialog.get_by_role("tab", name="Historia").click()
    history = dialog.locator(f".st-key-history-{theme_id}")
    expect(history.get_by_text(re.compile("Toimenpide julkaistu"))).to_be_visible()
    for what in ("Teema luotu", "Palaute liitetty", "Teema siirretty", "Toimenpide kirjattu"):
        expect(history.get_by_text(re.compile(what)).first).to_be_visible()
    for _, label in FLOW:
        expect(history.get_by_text(re.compile(rf"Vaihe: .* → {label}"))).to_have_count(1)
    settled_shot(page, "day_05_history")
    dialog.get_by_role("button", name="Sulje").click()
    # Closing runs the whole kanban again (the dialog is a fragment); on a loaded machine that is slow.
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=PAGE_TIMEOUT_MS)
    wait_for_app(page)

    # 6. Back on the huddle board: the published text, the customer's voice, the reply figures.
    after = demo_server.metrics(UNIT)
    _open_board(page, demo_server)
    fixed = _key(page, "panel-fixed")
    # The wall is internal: the team sees its own words, marked as what citizens can see.
    expect(fixed).to_contain_text(ACTION_TEXT)
    expect(fixed).to_contain_text("näkyy asukkaille")
    voice = _key(page, "panel-voice")
    expect(voice).to_contain_text(quote_text[:60])
    _assert_reply_tile(page, after)
    # The figures moved by exactly the two items handled in the inbox.
    handled = (replied_id, closed_id)
    assert after["overdue_replies"] == before["overdue_replies"] - sum(i in by_deadline[OVERDUE] for i in handled), \
        (before, after, by_deadline, handled)
    assert after["due_soon_replies"] == before["due_soon_replies"] - sum(i in by_deadline[DUE_SOON] for i in handled), \
        (before, after, by_deadline, handled)
    assert after["in_development"] == before["in_development"]  # the theme went through and is done
    expect(page.get_by_test_id("stException")).to_have_count(0)
    settled_shot(page, "day_06_huddle_evening")

    # The audit trail holds every change, made by the supervisor.
    with session_scope(database) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.id > audited_before).order_by(AuditEvent.id)).all()
        theme = session.get(Theme, theme_id)
        assert theme is not None and theme.title == THEME and theme.stage == "valmis", theme
    mine = [e for e in events if e.actor == SUPERVISOR_SUBJECT]

    def rows(action: str, entity_id: int | None = None) -> list[AuditEvent]:
        return [e for e in mine if e.action == action and (entity_id is None or e.entity_id == str(entity_id))]

    reply = rows("feedback.reply_sent", replied_id)
    assert len(reply) == 1 and reply[0].after["replied_by"] == SUPERVISOR, reply
    no_reply = rows("feedback.no_reply_needed", closed_id)
    assert len(no_reply) == 1 and no_reply[0].after == {"no_reply_reason": NO_REPLY_REASON}, no_reply
    assert len(rows("theme.create", theme_id)) == 1
    assert sorted(e.after["feedback_id"] for e in rows("theme.link_feedback", theme_id)) == sorted(grouped)
    assert len(rows("feedback.quote_picked", quoted_id)) == 1
    moves = [(e.before["stage"], e.after["stage"]) for e in rows("theme.move", theme_id)]
    assert moves == [("tunnistettu", "kehittamisryhmalla"), ("kehittamisryhmalla", "kokeilussa"),
                     ("kokeilussa", "valmis")], moves
    over = [e.after["stage"] for e in rows("theme.move", theme_id) if "over_wip_limit" in e.after]
    assert over == wip_asked, (over, wip_asked)
    added = rows("action.add")
    assert len(added) == 1 and added[0].after["public_text"] == PUBLIC_TEXT, added
    published = rows("action.publish", int(added[0].entity_id))
    assert len(published) == 1 and published[0].after["published_at"], published
    others = [(e.actor, e.action) for e in events if e.actor != SUPERVISOR_SUBJECT and not e.action.startswith("auth.")]
    assert others == [], others

    server_log = demo_server.log_since(log_offset)
    assert "Traceback" not in server_log, server_log
