"""Palautteesi vaikutti: what was done because of feedback and how the units are doing; anyone, no sign-in.

`/public` lists every published action a page at a time (`?page=N`, `?period=YYYY-QN` for a quarter of the
archive); `/public?unit=CODE` is a unit's or an area's own page.
"""
from __future__ import annotations

import streamlit as st

from board.likert import STATEMENTS
from board.periods import helsinki_date
from board.quarters import last_quarters
from pages.ui import public_cache as cache
from pages.ui.context import app_context
from pages.ui.duel_public import public_top
from pages.ui.language import current
from pages.ui.plain import inert
from pages.ui.public_actions import action_list, archive, page_from_link, quarter_from_link, quarter_key, quarter_name
from pages.ui.public_figures import figures_table, statement_name, trend
from pages.ui.public_loop import loop_of_places
from pages.ui.public_unit import unit_page
from pages.ui.texts import t

TREND_QUARTERS = 6

context = app_context()
settings = context.settings
language = current()
links = st.session_state.get("vartti.public_links", {})
public_link = links.get("public")
quarters = tuple(last_quarters(helsinki_date(context.now()), TREND_QUARTERS))


def _filters() -> tuple[str | None, str | None, str | None, str]:
    areas, _ = cache.places(settings.database_url, context.engine, language, None)
    area_names = {p.code: p.name for p in areas}
    columns = st.columns(4)
    # "" stands for "all": a None value would show Streamlit's own untranslated placeholder.
    area = columns[0].selectbox(t("public.filter.area"), ["", *area_names], key="public-area",
                                format_func=lambda code: area_names.get(code, t("public.filter.all")))
    _, units = cache.places(settings.database_url, context.engine, language, area)
    unit_names = {p.code: p.name for p in units}
    if st.session_state.get("public-unit") not in unit_names:
        st.session_state["public-unit"] = ""
    unit = columns[1].selectbox(t("public.filter.unit"), ["", *unit_names], key="public-unit",
                                format_func=lambda code: unit_names.get(code, t("public.filter.all")))
    topic = columns[2].selectbox(t("public.filter.topic"), ["", *(s.key for s in STATEMENTS)], key="public-topic",
                                 format_func=lambda key: statement_name(key, language) if key else t("public.filter.all"))
    search = columns[3].text_input(t("public.filter.search"), key="public-search", max_chars=100)
    return area or None, unit or None, topic or None, (search or "").strip()


def _actions(area: str | None, unit: str | None, topic: str | None, search: str, chosen, page: int) -> None:
    st.header(t("public.actions.heading"), anchor=False)
    if unit and public_link is not None:
        st.page_link(public_link, label=t("public.unit.link"), icon=":material/storefront:",
                     query_params={"lang": language, "unit": unit})
    if chosen is not None:
        st.caption(t("public.archive.showing", quarter=quarter_name(chosen)))
    shown, total, page = cache.actions(settings.database_url, context.engine, language, area, unit, topic, search,
                                       chosen, page)
    query = {"lang": language, **({"period": quarter_key(chosen)} if chosen else {})}
    action_list(shown, total, page, language=language, link_page=public_link, query=query)
    archive(cache.archive(settings.database_url, context.engine, None), chosen, language=language,
            link_page=public_link, query={"lang": language})


def _figures(area: str | None, unit: str | None) -> None:
    st.header(t("public.figures.heading"), anchor=False)
    st.write(t("public.figures.intro"))
    parent, children = cache.figures(settings.database_url, context.engine, language, quarters, settings.min_n, area)
    if parent is None:
        return
    chosen = st.selectbox(t("public.figures.quarter"), list(range(len(quarters)))[::-1], key="public-quarter",
                          format_func=lambda i: quarter_name(quarters[i]))
    total = t("public.figures.total", place=inert(parent.place.name))
    rows = [(total, parent.quarters[chosen])]
    rows += [(inert(child.place.name), child.quarters[chosen]) for child in children]
    st.caption(t("public.figures.table_caption", place=inert(parent.place.name), quarter=quarter_name(quarters[chosen])))
    figures_table("public-figures", rows, t("public.figures.place"), language)
    st.caption(inert(t("public.figures.hidden_note", min_n=settings.min_n)))
    loop_of_places(cache.loop(settings.database_url, context.engine, language, area, quarters), chosen, total)
    trend(next((c for c in children if c.place.code == unit), parent), language)


def _handling() -> None:
    st.header(t("public.handling.heading"), anchor=False)
    st.write(t("public.handling.where"))
    if settings.feedback_url:
        st.markdown(f"[{t('public.handling.give')}]({settings.feedback_url})")
    st.write(t("public.handling.reply", days=settings.reply_days))
    st.write(t("public.handling.privacy"))
    st.write(t("public.handling.not_complaint"))
    if settings.complaint_url:
        st.markdown(f"[{t('public.handling.complaint')}]({settings.complaint_url})")


chosen_quarter, refused = quarter_from_link(st.query_params.get("period"))
page = page_from_link(st.query_params.get("page"))
code = (st.query_params.get("unit") or "").strip()[:40]
# A link of this page (paging, the archive) reaches the run with its query, but the address bar kept only `lang`
# (the language picker writes it): written back, the address is the one to share.
for name, value in (("unit", code), ("period", quarter_key(chosen_quarter) if chosen_quarter else ""),
                    ("page", str(page) if page > 1 else "")):
    if value:
        st.query_params[name] = value
if code:
    unit_page(context, code, language=language, quarters=quarters, chosen=chosen_quarter, page=page,
              link_page=public_link, refused=refused)
else:
    st.title(t("public.title"), anchor=False)
    st.write(t("public.intro"))
    if refused is not None:
        st.warning(t("public.period.refused", period=inert(refused)))
    area, unit, topic, search = _filters()
    _actions(area, unit, topic, search, chosen_quarter, page)
    public_top(context)  # issue 20: "Asukkaiden TOP 10" of the published duels
    _figures(area, unit)
_handling()
st.divider()
for name, label in (("accessibility", "public.accessibility_link"), ("signin", "public.staff_sign_in")):
    if name in links:
        st.page_link(links[name], label=t(label), query_params={"lang": language} if name != "signin" else None)
