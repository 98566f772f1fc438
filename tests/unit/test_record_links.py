"""Links to a feedback's record in its source system: https only, the id URL-encoded, bad templates refused."""
from __future__ import annotations

import pytest

from board.record_links import BadRecordUrl, check_record_url, record_url


@pytest.mark.parametrize("source_id, expected", [
    ("12345", "https://kysely.example/responses/12345"),
    ("a b/../c?x=1#y", "https://kysely.example/responses/a%20b%2F..%2Fc%3Fx%3D1%23y"),
    ("ääkkönen", "https://kysely.example/responses/%C3%A4%C3%A4kk%C3%B6nen"),
])
def test_the_source_id_is_url_encoded_whole_into_the_template(source_id, expected):
    assert record_url("https://kysely.example/responses/{source_id}", source_id) == expected


def test_the_id_may_sit_in_the_query_of_the_address():
    assert record_url("https://k.example/r?id={source_id}&v=1", "7&8") == "https://k.example/r?id=7%268&v=1"


@pytest.mark.parametrize("template", [
    "http://kysely.example/responses/{source_id}",
    "javascript:alert({source_id})",
    "https:///responses/{source_id}",
    "https://kysely.example/responses/",
    "https://kysely.example/{source_id}/{source_id}",
    "https://kysely.example/{unit}/{source_id}",
    "https://kysely.example/{source_id",
    "https://kysely.example/ {source_id}",
    "{source_id}",
    42,
])
def test_a_template_that_is_not_https_with_one_source_id_is_refused(template):
    with pytest.raises(BadRecordUrl):
        check_record_url(template)


def test_a_refused_template_names_its_profile():
    with pytest.raises(BadRecordUrl, match="profile webropol: .*https"):
        check_record_url("ftp://x.example/{source_id}", "webropol")


def test_a_good_template_is_kept_as_written():
    assert check_record_url(" https://kysely.example/r/{source_id} ") == "https://kysely.example/r/{source_id}"
