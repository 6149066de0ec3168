from judge.verdicts import Verdict
from sandbox import check_source


def test_each_verdict_has_a_label_and_a_headline():
    assert Verdict.OUTPUT_LIMIT.label == "output limit"
    assert Verdict.FAILED.headline == "Some checks failed"
    assert {value for value, _ in Verdict.choices()} == {v.value for v in Verdict}
    assert all(verdict.headline for verdict in Verdict)


def test_a_verdict_is_its_own_text_in_storage_and_json():
    import json

    assert json.dumps({"verdict": Verdict.PASSED}) == '{"verdict": "passed"}'
    assert Verdict("timeout") is Verdict.TIMEOUT
    assert check_source("x = 1\n") == "x = 1\n"
