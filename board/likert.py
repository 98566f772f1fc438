"""The seven national statements (THL ASPA), answered on a 1-5 Likert scale."""

from dataclasses import dataclass

AGREE_MIN = 4

_SCALE_MIN = 1
_SCALE_MAX = 5


@dataclass(frozen=True)
class Statement:
    """A national statement; its wording is fixed nationally and must never be edited."""

    key: str
    fi: str
    sv: str
    en: str


STATEMENTS: tuple[Statement, ...] = (
    Statement(
        "saatavuus",
        "Sain apua, kun sitä tarvitsin",
        "Jag fick hjälp när jag behövde den",
        "I got help when I needed it",
    ),
    Statement(
        "kohtaaminen",
        "Minulle jäi tunne, että minusta välitettiin kokonaisvaltaisesti",
        "Jag fick en känsla av att man brydde sig om mig som helhet",
        "I felt cared for as a whole person",
    ),
    Statement(
        "osallistuminen",
        "Hoitoani/Asiaani koskevat päätökset tehtiin yhteistyössä kanssani",
        "Besluten om min vård/mitt ärende fattades i samarbete med mig",
        "Decisions were made together with me",
    ),
    Statement(
        "turvallisuus",
        "Koin oloni turvalliseksi hoidon/palvelun aikana",
        "Jag kände mig trygg under vården/tjänsten",
        "I felt safe during the service",
    ),
    Statement(
        "tiedon_saanti",
        "Tiedän, miten hoitoni/palveluni jatkuu",
        "Jag vet hur min vård/tjänst fortsätter",
        "I know how my care continues",
    ),
    Statement(
        "ymmarrettavyys",
        "Saamani tieto hoidosta/palvelusta oli ymmärrettävää",
        "Informationen jag fick om vården/tjänsten var begriplig",
        "The information was understandable",
    ),
    Statement(
        "hyodyllisyys",
        "Koin saamani hoidon/palvelun hyödylliseksi",
        "Jag upplevde att vården/tjänsten jag fick var till nytta",
        "The service was useful",
    ),
)

STATEMENT_KEYS: tuple[str, ...] = tuple(statement.key for statement in STATEMENTS)


@dataclass(frozen=True)
class LikertSummary:
    """One statement's answers: their number, mean and share agreeing (4-5), None without answers."""

    key: str
    n: int
    mean: float | None
    agree_pct: float | None


def likert_summary(key: str, *, n: int, total: int, agreeing: int) -> LikertSummary:
    """Mean = total / n and agreeing share = 100 · answers of 4-5 / n, from SQL count, sum and count of 4-5."""
    _check_aggregates(n=n, total=total, agreeing=agreeing)
    if n == 0:
        return LikertSummary(key, 0, None, None)
    return LikertSummary(key, n, total / n, 100 * agreeing / n)


def _check_aggregates(*, n: int, total: int, agreeing: int) -> None:
    if n < 0 or total < 0 or agreeing < 0:
        raise ValueError(f"aggregates cannot be negative: n={n}, total={total}, agreeing={agreeing}")
    if agreeing > n:
        raise ValueError(f"{agreeing} agreeing answers exceed n={n}")
    # Agreeing answers score 4-5 and the others 1-3; this is stricter than n <= total <= 5n.
    others = n - agreeing
    lowest = AGREE_MIN * agreeing + _SCALE_MIN * others
    highest = _SCALE_MAX * agreeing + (AGREE_MIN - 1) * others
    if not lowest <= total <= highest:
        raise ValueError(f"{n} answers on a 1-5 scale, {agreeing} of them 4-5, cannot sum to {total}")
