"""The roll-up's charts write their numbers as the tables beside them do."""
from __future__ import annotations

from types import SimpleNamespace

from pages.ui.rollup_charts import channel_mix


def _labels(chart) -> dict[str, str]:
    spec = chart.to_dict()
    rows = spec["data"]["values"] if "data" in spec else spec["layer"][0]["data"]["values"]
    return {row["channel"]: row["label"] for row in rows}


def test_channel_bars_are_labelled_with_the_languages_thousands():
    node = SimpleNamespace(by_channel={"toimipiste": 12533, "puhelin": 1322, "": 7})
    assert _labels(channel_mix(node, language="fi")) == {"toimipiste": "12\u00a0533", "puhelin": "1\u00a0322",
                                                         "ei tiedossa": "7"}
    assert _labels(channel_mix(node, language="en"))["on site"] == "12,533"
