"""The texts of the interface, by language; pages look them up with `t(key)`."""
from __future__ import annotations

FI = {
    "app.title": "Vartti",
    "nav.units": "Yksiköt",
    "nav.huddle": "Huddle-taulu",
    "demo.banner": "DEMO – kuvitteellinen hyvinvointialue ja keksityt palautteet",
    "error.not_configured": (
        "Vartti ei ole käytössä: kirjautumista ei ole määritetty. Ylläpitäjä: aseta "
        "kirjautumisen asetukset (.streamlit/secrets.toml, [auth]) tai käynnistä demotilassa "
        "(VARTTI_DEMO=1, `make run`)."
    ),
    "error.settings": "Asetuksissa on virhe: {problem}",
    "error.database_unreachable": (
        "Tietokantaan ei saada yhteyttä ({url}). Tarkista, että tietokanta on käynnissä ja "
        "VARTTI_DATABASE_URL on oikein."
    ),
    "error.schema_behind": (
        "Tietokannan rakenne on vanhentunut (versio {current}, tarvitaan {head}). "
        "Aja ensin: `python -m data migrate`"
    ),
    "error.schema_empty": (
        "Tietokanta on tyhjä. Aja ensin `python -m data migrate` ja sen jälkeen "
        "`python -m data seed-demo` tai tuo yksiköt komennolla `python -m data units`."
    ),
    "error.board_unavailable": (
        "Taulun tietoja ei juuri nyt saatu tietokannasta. Taulu yrittää uudelleen minuutin kuluttua."
    ),
    "home.title": "Valitse yksikkö",
    "home.intro": (
        "Vartti näyttää yksikön asiakaspalautteen päivittäisen huddlen seinätaululla: "
        "suositteluindeksi (NPS), palautteiden määrä, kehitteillä olevat asiat, vastaamattomat "
        "palautteet ja se, mitä olemme korjanneet."
    ),
    "home.pick": "Yksikkö",
    "home.open": "Avaa huddle-taulu",
    "home.no_units": "Yksiköitä ei ole vielä. Tuo organisaatio: `python -m data units FILE`.",
    "huddle.unknown_unit": "Yksikköä “{code}” ei löydy tai se ei ole enää käytössä. Valitse yksikkö:",
    "huddle.no_unit": "Valitse yksikkö, jonka huddle-taulu näytetään:",
    "huddle.change_unit": "Vaihda yksikkö",
    "huddle.week": "viikko {week}",
    "huddle.updated": "Päivitetty {time}",
    "huddle.nps.title": "Suositteluindeksi (NPS), 30 pv",
    "huddle.nps.n": "n = {n} · 95 %:n luottamusväli {lo} … {hi}",
    "huddle.nps.change": "{change} edellisiin 30 päivään",
    "huddle.nps.change_unknown": "Edellisten 30 päivän vertailuun liian vähän vastauksia",
    "huddle.too_few": "liian vähän vastauksia",
    "huddle.too_few_n": "liian vähän vastauksia (n = {n}, vähintään {min_n})",
    "huddle.no_feedback": "ei vielä palautetta",
    "huddle.volume.title": "Palautteet tällä viikolla",
    "huddle.volume.weeks": "Viime viikolla {last_week}",
    "huddle.volume.by_collection": "30 pv: {parts}",
    "huddle.dev.title": "Kehitteillä",
    "huddle.dev.panel": "Työn alla olevat teemat",
    "huddle.dev.count": "teemaa kehittämisryhmällä tai kokeilussa",
    "huddle.dev.none": "Ei kehitteillä olevia teemoja.",
    "huddle.dev.item": "{owner} · {stage} · {days} pv",
    "huddle.dev.no_owner": "ei vastuuhenkilöä",
    "huddle.dev.more": "… ja {count} muuta",
    "huddle.replies.title": "Vastaukset asiakkaille",
    "huddle.replies.overdue_title": "Vastauksia myöhässä",
    "huddle.replies.soon_title": "Vastauksia erääntyy 3 pv:n sisällä",
    "huddle.replies.oldest": "Vanhin {days} pv yli määräajan",
    "huddle.replies.due_soon": "Lisäksi {count} erääntyy 3 pv:n sisällä",
    "huddle.replies.none_overdue": "Ei myöhässä olevia",
    "huddle.replies.all_done": "Kaikkiin vastattu ajallaan",
    "huddle.trend.title": "NPS viikoittain, 12 viikkoa",
    "huddle.trend.alt": "Viikoittainen NPS 95 %:n luottamusvälillä ja vastausmäärillä.",
    "huddle.trend.week": "Viikko",
    "huddle.trend.n": "n",
    "huddle.trend.too_few": "vähän",
    "huddle.statements.title": "Väittämät: samaa mieltä (4–5)",
    "huddle.statements.none": "Väittämiin ei vielä vastauksia.",
    "huddle.statements.value": "**{pct} %** {statement} (n {n})",
    "huddle.statements.too_few": "**–** {statement} (liian vähän vastauksia, n {n})",
    "huddle.fixed.title": "Mitä olemme korjanneet",
    "huddle.fixed.none": "Ei vielä kirjattuja korjauksia.",
    "huddle.timer.alt": "Huddlen ajastin: 5, 10 tai 15 minuuttia",
    "stage.tunnistettu": "Tunnistettu",
    "stage.kehittamisryhmalla": "Kehittämisryhmällä",
    "stage.kokeilussa": "Kokeilussa",
    "stage.valmis": "Valmis",
    "stage.siirretty": "Siirretty laajempaan kehittämiseen",
    "stage.ei_edeta": "Ei edetä",
    "collection.web": "verkko",
    "collection.kiosk": "kioski",
    "collection.sms": "tekstiviesti",
    "collection.tablet": "tabletti",
    "collection.email": "sähköposti",
    "collection.phone": "puhelin",
    "collection.paper": "paperi",
    "collection.social": "some",
    "collection.": "muu",
}

CATALOGUES = {"fi": FI}


def t(key: str, language: str = "fi", **values: object) -> str:
    """The text for a key in the language (Finnish when missing), with values filled in."""
    text = CATALOGUES.get(language, FI).get(key) or FI[key]
    return text.format(**values) if values else text
