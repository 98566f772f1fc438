"""The texts of the interface, by language; pages look them up with `t(key)`."""
from __future__ import annotations

FI = {
    "app.title": "Vartti",
    "nav.units": "Yksiköt",
    "nav.huddle": "Huddle-taulu",
    "nav.sign_in": "Kirjaudu",
    "nav.no_access": "Ei käyttöoikeutta",
    "nav.admin": "Ylläpito",
    "nav.inbox": "Palautteet",
    "nav.kanban": "Kehittämistaulu",
    "auth.signed_in_as": "Kirjautuneena: {name}",
    "auth.sign_out": "Kirjaudu ulos",
    "auth.expired": "Kirjautumisesi on vanhentunut. Kirjaudu uudelleen jatkaaksesi.",
    "auth.sign_in_again": "Kirjaudu uudelleen",
    "auth.groups_unavailable": (
        "Käyttäjäryhmiäsi ei saatu haettua Microsoft Entra ID:stä, joten oikeuksia ei voitu "
        "tarkistaa. Yritä hetken päästä uudelleen; jos ongelma jatkuu, ota yhteys ylläpitoon."
    ),
    "auth.denied": "Sinulla ei ole käyttöoikeutta yksikön “{code}” tietoihin.",
    "auth.kiosk_invalid": (
        "Tämä näyttölinkki ei ole enää voimassa. Pyydä esihenkilöltä tai ylläpidolta uusi linkki."
    ),
    "signin.title": "Vartti",
    "signin.entra": "Kirjaudu sisään (Microsoft)",
    "signin.demo_title": "Demotila",
    "signin.demo_intro": "Kokeile Varttia kuvitteellisen hyvinvointialueen käyttäjänä:",
    "no_access.title": "Ei vielä käyttöoikeuksia",
    "no_access.body": (
        "Olet kirjautunut, mutta sinulle ei ole annettu oikeuksia yhdenkään yksikön tietoihin. "
        "Pyydä oikeudet esihenkilöltäsi tai hyvinvointialueen Vartti-pääkäyttäjältä."
    ),
    "no_access.identifiers": "Kerro heille tunnisteesi, jotta oikeudet voidaan liittää sinuun tai ryhmääsi:",
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
    "home.no_units": "Ei yksiköitä, joiden tauluun sinulla on oikeus.",
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
    "huddle.trend.too_few": "liian vähän",
    "huddle.trend.n": "n {n}",
    "huddle.statements.title": "Väittämät: samaa mieltä (4–5)",
    "huddle.statements.none": "Väittämiin ei vielä vastauksia.",
    "huddle.statements.value": "**{pct} %** {statement} (n {n})",
    "huddle.statements.too_few": "**–** {statement} (liian vähän vastauksia, n {n})",
    "huddle.fixed.title": "Mitä olemme korjanneet",
    "huddle.fixed.none": "Ei vielä kirjattuja korjauksia.",
    "huddle.timer.alt": "Huddlen ajastin: 5, 10 tai 15 minuuttia",
    "role.team": "Tiimi (lukee taulua)",
    "role.supervisor": "Esihenkilö",
    "role.director": "Johtaja",
    "role.admin": "Pääkäyttäjä",
    "admin.title": "Ylläpito",
    "admin.invalid": "Muutosta ei tehty: {problem}",
    "admin.confirm": "Olen varma",
    "admin.confirm_needed": "Vahvista valitsemalla ”Olen varma”. Mitään ei muutettu.",
    "admin.col.principal": "Kenelle",
    "admin.col.role": "Rooli",
    "admin.col.unit": "Yksikkö",
    "admin.col.created": "Annettu",
    "admin.col.by": "Antaja",
    "admin.col.state": "Tila",
    "admin.grants.tab": "Käyttöoikeudet",
    "admin.grants.intro": (
        "Oikeus annetaan Entra ID -ryhmälle (ryhmän object id) tai yksittäiselle käyttäjälle "
        "(sähköposti tai sub). Oikeus koskee valittua yksikköä ja kaikkia sen alla olevia."
    ),
    "admin.grants.add": "Anna oikeus",
    "admin.grants.principal": "Ryhmän object id tai käyttäjän sähköposti",
    "admin.grants.principal_help": "Esim. 3f2a…-…-… (Entra ID -ryhmä) tai etunimi.sukunimi@hyvinvointialue.fi",
    "admin.grants.added": "Oikeus annettu.",
    "admin.grants.remove": "Poista oikeus",
    "admin.grants.which": "Poistettava oikeus",
    "admin.grants.removed": "Oikeus poistettu.",
    "admin.kiosk.tab": "Seinänäytöt",
    "admin.kiosk.intro": (
        "Seinänäytön linkki avaa yhden yksikön huddle-taulun ilman kirjautumista, vain luettavaksi. "
        "Linkki näytetään vain kerran; sen voi perua milloin tahansa."
    ),
    "admin.kiosk.add": "Luo näyttölinkki",
    "admin.kiosk.label": "Näytön nimi",
    "admin.kiosk.label_example": "esim. Taukotilan näyttö, 2. krs",
    "admin.kiosk.days": "Voimassa päivää (0 = toistaiseksi)",
    "admin.kiosk.days_help": "Linkki lakkaa toimimasta tämän ajan jälkeen.",
    "admin.kiosk.created": (
        "Näyttölinkki luotu. Kopioi se nyt näytön selaimeen – linkkiä ei näytetä uudelleen."
    ),
    "admin.kiosk.added": "Näyttölinkki luotu.",
    "admin.kiosk.expires": "Voimassa asti",
    "admin.kiosk.valid": "voimassa",
    "admin.kiosk.revoked": "peruttu",
    "admin.kiosk.expired": "vanhentunut",
    "admin.kiosk.revoke": "Peru näyttölinkki",
    "admin.kiosk.which": "Peruttava linkki",
    "admin.kiosk.revoked_now": "Linkki peruttu. Näyttö lakkaa näyttämästä tietoja seuraavassa päivityksessä.",
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
