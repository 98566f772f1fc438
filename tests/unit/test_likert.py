import pytest

from board.likert import AGREE_MIN, STATEMENT_KEYS, STATEMENTS, LikertSummary, likert_summary


def test_the_seven_national_statements_come_in_the_national_order():
    assert STATEMENT_KEYS == (
        "saatavuus",
        "kohtaaminen",
        "osallistuminen",
        "turvallisuus",
        "tiedon_saanti",
        "ymmarrettavyys",
        "hyodyllisyys",
    )
    assert tuple(statement.key for statement in STATEMENTS) == STATEMENT_KEYS


@pytest.mark.parametrize(
    ("key", "finnish", "english"),
    [
        ("saatavuus", "Sain apua, kun sitä tarvitsin", "I got help when I needed it"),
        (
            "kohtaaminen",
            "Minulle jäi tunne, että minusta välitettiin kokonaisvaltaisesti",
            "I felt cared for as a whole person",
        ),
        (
            "osallistuminen",
            "Hoitoani/Asiaani koskevat päätökset tehtiin yhteistyössä kanssani",
            "Decisions were made together with me",
        ),
        ("turvallisuus", "Koin oloni turvalliseksi hoidon/palvelun aikana", "I felt safe during the service"),
        ("tiedon_saanti", "Tiedän, miten hoitoni/palveluni jatkuu", "I know how my care continues"),
        (
            "ymmarrettavyys",
            "Saamani tieto hoidosta/palvelusta oli ymmärrettävää",
            "The information was understandable",
        ),
        ("hyodyllisyys", "Koin saamani hoidon/palvelun hyödylliseksi", "The service was useful"),
    ],
)
def test_statement_wording_is_the_national_wording(key, finnish, english):
    statement = dict(zip(STATEMENT_KEYS, STATEMENTS))[key]
    assert (statement.fi, statement.en) == (finnish, english)
    assert statement.sv.strip() and statement.sv not in (statement.fi, statement.en)


def test_saatavuus_in_swedish_says_i_got_help_when_i_needed_it():
    assert STATEMENTS[0].sv == "Jag fick hjälp när jag behövde den"


def test_agreeing_means_answering_4_or_5():
    assert AGREE_MIN == 4


@pytest.mark.parametrize(
    ("n", "total", "agreeing", "mean", "agree_pct"),
    [
        (4, 4 + 5 + 5 + 2, 3, 4.0, 75.0),
        (1, 5, 1, 5.0, 100.0),
        (1, 1, 0, 1.0, 0.0),
        (3, 3 + 3 + 3, 0, 3.0, 0.0),
        (3, 4 + 4 + 4, 3, 4.0, 100.0),
        (3, 1 + 2 + 4, 1, 7 / 3, 100 / 3),
        (10, 50, 10, 5.0, 100.0),
    ],
)
def test_likert_summary_is_the_mean_and_the_share_of_4_and_5(n, total, agreeing, mean, agree_pct):
    summary = likert_summary("saatavuus", n=n, total=total, agreeing=agreeing)
    assert summary == LikertSummary("saatavuus", n, pytest.approx(mean), pytest.approx(agree_pct))


def test_likert_summary_without_answers_has_no_mean_or_share():
    assert likert_summary("turvallisuus", n=0, total=0, agreeing=0) == LikertSummary("turvallisuus", 0, None, None)


@pytest.mark.parametrize(
    ("n", "total", "agreeing"),
    [
        (-1, 0, 0),
        (3, -1, 0),
        (3, 12, -1),
        (3, 15, 4),  # more agreeing than answers
        (3, 2, 0),  # below 1 per answer
        (3, 16, 3),  # above 5 per answer
        (0, 1, 0),
        (3, 11, 3),  # three answers of 4-5 sum to at least 12
        (3, 10, 0),  # three answers of 1-3 sum to at most 9
    ],
)
def test_likert_summary_refuses_aggregates_no_answers_could_produce(n, total, agreeing):
    with pytest.raises(ValueError):
        likert_summary("saatavuus", n=n, total=total, agreeing=agreeing)


@pytest.mark.parametrize(("n", "total", "agreeing"), [(2, 5, 1), (2, 8, 1), (3, 12, 3), (3, 9, 0)])
def test_likert_summary_accepts_the_extreme_possible_sums(n, total, agreeing):
    assert likert_summary("saatavuus", n=n, total=total, agreeing=agreeing).n == n
