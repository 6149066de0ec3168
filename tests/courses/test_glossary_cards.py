"""Glossary cards with a formula and its anatomy (the formula's symbols explained one by
one): what glossary.yaml may say, what the import stores, and what the glossary page and
the lesson's pop-over cards show."""

import html
import re

import pytest
import yaml
from django.urls import reverse

from courses.importing import CourseInvalid, course_sync, load_course_dir
from courses.importing.schema import (
    ANATOMY_PARTS,
    FORMULA_CHARS,
    GLOSSARY_SENTENCES,
    MEANING_CHARS,
    SYMBOL_CHARS,
    Glossary,
)
from judge.files import load_yaml, validate
from tests.helpers import ROOT

SHIPPED_GLOSSARY = ROOT / "courses" / "content" / "gradient-descent" / "glossary.yaml"

LOSS_CARD = {
    "slug": "loss",
    "term": "Loss",
    "definition": "One number that says how wrong the model is.",
    "why": "Training lowers it.",
    "myth": "Zero loss is the goal.",
    "reality": "Zero training loss usually means memorising.",
}
MSE = r"L = \frac{1}{n} \sum_{i=1}^{n} (y_i - \hat{y}_i)^2"
MSE_ANATOMY = [
    {"symbol": r"\hat{y}_i", "meaning": "The prediction for example i."},
    {"symbol": "n", "meaning": "How many examples the loss averages over."},
]
STEP_CARD = {
    "slug": "step",
    "term": "Step",
    "definition": "One update of the weights.",
}


def write_glossary(course_dir, cards: list[dict]) -> None:
    (course_dir / "glossary.yaml").write_text(yaml.safe_dump(cards, sort_keys=False))


def glossary_problems(course_dir, cards: list[dict]) -> list[str]:
    write_glossary(course_dir, cards)
    _, problems = load_course_dir(course_dir)
    return [str(problem) for problem in problems]


def with_formula(formula=MSE, anatomy=None) -> dict:
    return {**LOSS_CARD, "formula": formula, "anatomy": MSE_ANATOMY if anatomy is None else anatomy}


# What glossary.yaml may say --------------------------------------------------------------


def test_a_card_with_a_formula_and_its_anatomy_is_accepted(quiz_course_dir):
    assert glossary_problems(quiz_course_dir, [with_formula(), STEP_CARD]) == []


def test_a_card_may_have_a_formula_without_an_anatomy(quiz_course_dir):
    card = {**LOSS_CARD, "formula": MSE}
    assert glossary_problems(quiz_course_dir, [card]) == []


def test_it_rejects_an_anatomy_without_a_formula(quiz_course_dir):
    card = {**LOSS_CARD, "anatomy": MSE_ANATOMY}
    problems = glossary_problems(quiz_course_dir, [card])
    assert problems == [
        "glossary.yaml:7: entry 'loss' explains symbols (anatomy) but has no formula; "
        "add the formula or drop the anatomy"
    ]


def test_it_rejects_a_formula_longer_than_the_limit(quiz_course_dir):
    formula = "x + " * (FORMULA_CHARS // 4) + "y"
    problems = glossary_problems(quiz_course_dir, [with_formula(formula)])
    assert problems == [
        f"glossary.yaml:7: entry 1: the formula is longer than {FORMULA_CHARS} characters"
    ]


def test_it_rejects_more_anatomy_items_than_the_limit(quiz_course_dir):
    anatomy = [{"symbol": f"x_{{{k}}}", "meaning": "A symbol."} for k in range(ANATOMY_PARTS + 1)]
    problems = glossary_problems(quiz_course_dir, [with_formula(anatomy=anatomy)])
    assert problems == [
        f"glossary.yaml:8: entry 1: anatomy explains at most {ANATOMY_PARTS} symbols"
    ]


def test_it_rejects_a_symbol_or_a_meaning_over_its_limit(quiz_course_dir):
    anatomy = [
        {"symbol": "x" * (SYMBOL_CHARS + 1), "meaning": "Too long a symbol."},
        {"symbol": "y", "meaning": "m" * (MEANING_CHARS + 1)},
    ]
    problems = glossary_problems(quiz_course_dir, [with_formula(anatomy=anatomy)])
    assert problems == [
        f"glossary.yaml:9: anatomy item 1: the symbol is longer than {SYMBOL_CHARS} characters",
        f"glossary.yaml:12: anatomy item 2: the meaning is longer than {MEANING_CHARS} characters",
    ]


def test_it_rejects_a_symbol_explained_twice(quiz_course_dir):
    anatomy = [*MSE_ANATOMY, {"symbol": "n", "meaning": "Said again."}]
    problems = glossary_problems(quiz_course_dir, [with_formula(anatomy=anatomy)])
    assert problems == ["glossary.yaml:13: entry 'loss' explains the symbol 'n' twice"]


@pytest.mark.parametrize(
    "formula", ["$x^2$", r"\(x^2\)", r"\[x^2\]", r"a = b $ c", r"x^2 \] + y", r"a \( b"]
)
def test_it_rejects_a_formula_that_brings_its_own_delimiters(quiz_course_dir, formula):
    problems = glossary_problems(quiz_course_dir, [with_formula(formula)])
    assert problems == [
        r"glossary.yaml:7: entry 1: write the formula without $ or \( \) delimiters; "
        "the page adds them"
    ]


@pytest.mark.parametrize("formula", [r"\$5 = x", r"a \\[2pt] b", r"\left[ x \right]"])
def test_an_escaped_dollar_or_a_spaced_line_break_is_latex_not_a_delimiter(
    quiz_course_dir, formula
):
    assert glossary_problems(quiz_course_dir, [with_formula(formula)]) == []


def test_an_anatomy_item_needs_a_symbol_and_a_meaning(quiz_course_dir):
    anatomy = [{"symbol": "n"}, {"symbol": "L", "meaning": "The loss.", "unit": "nats"}]
    problems = glossary_problems(quiz_course_dir, [with_formula(anatomy=anatomy)])
    assert problems == [
        "glossary.yaml:9: anatomy item 1 needs symbol and meaning",
        "glossary.yaml:12: unknown field 'unit' in anatomy item 2",
    ]


def test_a_symbol_is_one_line(quiz_course_dir):
    anatomy = [{"symbol": "a\nb", "meaning": "Two lines."}]
    problems = glossary_problems(quiz_course_dir, [with_formula(anatomy=anatomy)])
    assert problems == ["glossary.yaml:9: anatomy item 1: a symbol is one line"]


# What the import stores ------------------------------------------------------------------


def test_the_import_stores_the_formula_and_its_anatomy(db, quiz_course_dir):
    write_glossary(quiz_course_dir, [with_formula(), STEP_CARD])
    course = course_sync(path=quiz_course_dir).course
    loss = course.glossary.get(slug="loss")
    assert loss.formula == MSE
    assert loss.anatomy == MSE_ANATOMY
    step = course.glossary.get(slug="step")
    assert (step.formula, step.anatomy) == ("", [])


def test_changing_only_the_anatomy_updates_the_card(db, quiz_course_dir):
    write_glossary(quiz_course_dir, [with_formula()])
    course_sync(path=quiz_course_dir)
    anatomy = [{"symbol": "L", "meaning": "The loss, one number."}]
    write_glossary(quiz_course_dir, [with_formula(anatomy=anatomy)])
    report = course_sync(path=quiz_course_dir)
    assert report.counts["glossary"]["updated"] == 1
    assert report.course.glossary.get(slug="loss").anatomy == anatomy


def test_a_bad_card_stops_the_import(db, quiz_course_dir):
    write_glossary(quiz_course_dir, [{**LOSS_CARD, "anatomy": MSE_ANATOMY}])
    with pytest.raises(CourseInvalid):
        course_sync(path=quiz_course_dir)


# What the pages show ---------------------------------------------------------------------


@pytest.fixture
def formula_course(db, quiz_course_dir):
    write_glossary(quiz_course_dir, [with_formula(), STEP_CARD])
    return course_sync(path=quiz_course_dir).course


def glossary_page(client, course) -> str:
    response = client.get(reverse("courses:glossary", args=[course.slug]))
    assert response.status_code == 200
    return response.content.decode()


def card_html(page: str, slug: str) -> str:
    match = re.search(
        rf'<div class="card" id="term-{slug}">(.*?)</div>\s*(?=<div class="card"|</dl>)', page, re.S
    )
    assert match, f"no card for {slug}"
    return match.group(1)


def test_the_glossary_page_shows_the_formula_for_katex(client, formula_course):
    card = card_html(glossary_page(client, formula_course), "loss")
    formula = re.search(r'<div class="arithmatex">(.*?)</div>', card, re.S).group(1)
    assert html.unescape(formula) == rf"\[{MSE}\]"


def test_the_glossary_page_lists_the_anatomy_under_the_formula(client, formula_course):
    card = card_html(glossary_page(client, formula_course), "loss")
    assert card.index("arithmatex") < card.index('class="term-anatomy"')
    assert "<details" not in card
    pairs = re.findall(
        r'<dt><span class="arithmatex">(.*?)</span></dt>\s*<dd>(.*?)</dd>', card, re.S
    )
    assert [(html.unescape(s), html.unescape(m)) for s, m in pairs] == [
        (rf"\({part['symbol']}\)", part["meaning"]) for part in MSE_ANATOMY
    ]


def test_a_card_without_a_formula_still_renders(client, formula_course):
    card = card_html(glossary_page(client, formula_course), "step")
    assert "One update of the weights." in card
    assert "arithmatex" not in card
    assert "term-anatomy" not in card


def test_the_glossary_page_loads_katex(client, formula_course):
    page = glossary_page(client, formula_course)
    assert re.search(r'dist/math\.js" nonce="[^"]+" defer', page)
    assert "dist/math.css" in page


def test_latex_in_a_card_is_escaped_text_not_markup(client, quiz_course_dir, db):
    formula = r"a < b \text{<script>alert(1)</script>}"
    write_glossary(quiz_course_dir, [with_formula(formula, anatomy=[])])
    course = course_sync(path=quiz_course_dir).course
    page = glossary_page(client, course)
    assert "<script>alert(1)" not in page
    assert "a &lt; b" in page


def test_the_lessons_pop_over_card_carries_the_formula_and_anatomy(student_client, formula_course):
    lesson = formula_course.lessons.get(slug="basics")
    url = reverse("courses:lesson", args=[formula_course.slug, lesson.slug])
    student_client.post(
        reverse("courses:lesson_think", args=[formula_course.slug, lesson.slug]), {"skip": "1"}
    )
    page = student_client.get(url).content.decode()
    card = page[page.index('data-term-card="loss"') :]
    card = card[: card.index("Open in the glossary")]
    assert html.escape(MSE, quote=False) in card
    # Folded, so the pop-over stays short until the reader asks for the symbols.
    fold = card[card.index("<details") : card.index("</details>")]
    assert 'class="term-anatomy"' in fold
    assert "How many examples the loss averages over." in fold


# The shipped course's cards --------------------------------------------------------------


def shipped_cards():
    problems = []
    document = load_yaml(SHIPPED_GLOSSARY, "glossary.yaml", problems)
    glossary = validate(
        Glossary,
        {"entries": document.data},
        file="glossary.yaml",
        sentences=GLOSSARY_SENTENCES,
        problems=problems,
    )
    assert problems == []
    return {entry.slug: entry for entry in glossary.entries}


@pytest.mark.parametrize(
    "slug", ["gradient-descent", "sgd", "rmsprop", "cross-entropy", "objective"]
)
def test_each_new_card_has_a_formula_its_anatomy_and_a_myth(slug):
    card = shipped_cards()[slug]
    assert card.formula
    assert card.anatomy
    assert all((card.definition, card.why, card.myth, card.reality))


def test_every_symbol_explained_appears_in_its_formula():
    def squeeze(tex):
        return re.sub(r"\s+", "", tex)

    missing = [
        (slug, part.symbol)
        for slug, card in shipped_cards().items()
        for part in card.anatomy
        if squeeze(part.symbol) not in squeeze(card.formula)
    ]
    assert missing == []
