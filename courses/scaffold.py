"""Skeletons for course authors: a new course, a lesson with its checkpoint, an exercise.

Plain file work, no Django and no database. Each function first checks everything it was
asked (the slug, the title, that the target is free, that the course is a course) and
writes nothing when something is wrong: it raises `ScaffoldError` with a sentence the
author can act on. Otherwise it writes the files and returns the paths it created,
relative to the course directory (`Created`, whose ``updated`` names the existing files
it edited: the study path in course.yaml, a lesson's list of exercises).

What it writes loads with no problems and passes the self-check `sync_course` runs: the
exercise's reference scores 1.0, its starter below 1.0, and its known mistake is
recognised and answered with its own hint. The file formats are in
docs/course-format.md; docs/authoring.md walks an instructor through them.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

# The importer's rule for a quiz slug (courses.importing.schema.SLUG, which imports
# Django through its package). A lesson's checkpoint is named after the lesson, so every
# slug made here follows it; tests/courses/test_scaffold.py keeps the two the same.
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Titles are stored in columns of 200 characters; a checkpoint's adds "Checkpoint: ".
TITLE_MAX = 180

FIRST_LESSON = "gradient-descent"
FIRST_EXERCISE = "linear-model-gradient"
MISTAKE = "missing-factor-two"


class ScaffoldError(ValueError):
    """What was asked cannot be scaffolded; nothing was written."""


class Created(list):
    """The paths a scaffold created, relative to the course directory, in the order it
    wrote them; ``updated`` names the existing files it edited."""

    def __init__(self, created: Iterable[str] = (), updated: Iterable[str] = ()):
        super().__init__(created)
        self.updated = list(updated)


def default_title(slug: str) -> str:
    """A first title for a slug: "linear-model-gradient" -> "Linear model gradient"."""
    return slug.replace("-", " ").capitalize()


def entry_name(slug: str) -> str:
    """The function an exercise's submissions define: its slug as a Python name."""
    name = slug.replace("-", "_")
    if name[0].isdigit():
        name = f"f_{name}"
    if keyword.iskeyword(name) or name in ("np", "numpy"):
        name = f"{name}_"
    return name


# The three scaffolds -------------------------------------------------------------------


def new_course(path: Path | str, *, slug: str, title: str) -> Created:
    """A course at ``path`` (absent, or a folder holding nothing but hidden entries such
    as .git): course.yaml, a glossary, one lesson with its checkpoint quiz and one
    exercise listed in that lesson."""
    root = Path(path)
    _check_slug(slug, "course")
    title = _check_title(title, "course")
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} already exists and is not a directory")
    if root.is_dir() and any(not entry.name.startswith(".") for entry in root.iterdir()):
        raise ScaffoldError(
            f"{root} already exists and is not empty; a new course needs a folder of its own"
        )
    made_root = not root.exists()
    lesson_title = "Gradient descent"
    files = {
        "course.yaml": _fill(
            COURSE_YAML,
            slug=_yaml_text(slug),
            title=_yaml_title(title),
            first_lesson=FIRST_LESSON,
        ),
        "glossary.yaml": GLOSSARY_YAML,
        **_lesson_files(FIRST_LESSON, lesson_title, number="01", glossary_links=True),
    }
    root.mkdir(parents=True, exist_ok=True)
    try:
        created = _write(root, files)
        created += new_exercise(
            root, FIRST_EXERCISE, title="Gradient of a linear model's loss", lesson=FIRST_LESSON
        )
    except BaseException:
        if made_root:
            shutil.rmtree(root, ignore_errors=True)
        else:
            for entry in root.iterdir():
                if not entry.name.startswith("."):
                    _remove(entry)
        raise
    return Created(created)


def new_lesson(course_path: Path | str, slug: str, *, title: str) -> Created:
    """A lesson at the end of the study path (lessons/NN-<slug>.md with the next number)
    and its checkpoint quiz (quizzes/<slug>.yaml)."""
    course = _Course.open(course_path)
    _check_slug(slug, "lesson")
    title = _check_title(title, "lesson")
    for lesson in course.lessons:
        if lesson.slug == slug or re.fullmatch(rf"\d+-{slug}", lesson.path.stem):
            raise ScaffoldError(f"lesson {slug!r} already exists ({course.relative(lesson.path)})")
    if slug in course.study_path:
        raise ScaffoldError(f"lesson {slug!r} is already in the study path of course.yaml")
    if (course.root / "quizzes" / f"{slug}.yaml").exists():
        raise ScaffoldError(
            f"quiz {slug!r} already exists (quizzes/{slug}.yaml); a lesson's checkpoint "
            "is named after the lesson, so choose another slug"
        )
    manifest = _append_to_list(course.manifest_text, "lessons", slug, "course.yaml")
    files = _lesson_files(slug, title, number=course.next_lesson_number())
    return _write(course.root, files, {"course.yaml": manifest})


def new_exercise(
    course_path: Path | str, slug: str, *, title: str, lesson: str | None = None
) -> Created:
    """An exercise folder (exercise.yaml, statement, starter, reference, checks, one known
    mistake and a small grading-quality corpus), listed in ``lesson``'s front matter, or
    in the last lesson of the study path when no lesson is named."""
    course = _Course.open(course_path)
    _check_slug(slug, "exercise")
    title = _check_title(title, "exercise")
    folder = course.root / "exercises" / slug
    if folder.exists():
        raise ScaffoldError(f"exercise {slug!r} already exists (exercises/{slug}/)")
    target = course.lesson_for_exercise(lesson)
    updated = {}
    if target is not None and slug not in target.exercises:
        updated[course.relative(target.path)] = target.with_exercise(slug, course.relative)
    files = {
        f"exercises/{slug}/{name}": text
        for name, text in _exercise_files(slug, title, target.slug if target else None).items()
    }
    return _write(course.root, files, updated)


# Checking what was asked ----------------------------------------------------------------


def _check_slug(slug, what: str) -> None:
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise ScaffoldError(
            f"{slug!r} is not a valid {what} slug: use lowercase letters a-z, digits and "
            "single dashes between them, such as 'gradient-step'"
        )


def _check_title(title, what: str) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ScaffoldError(f"the {what} needs a title")
    title = title.strip()
    if "\n" in title or "\r" in title:
        raise ScaffoldError(f"the {what} title must be one line")
    if len(title) > TITLE_MAX:
        raise ScaffoldError(f"the {what} title has {len(title)} characters; at most {TITLE_MAX}")
    return title


@dataclass
class _LessonFile:
    path: Path
    text: str
    slug: str | None
    # where the front matter's YAML starts and ends in `text` (None: there is none)
    front: tuple[int, int] | None
    exercises: tuple = ()

    @classmethod
    def read(cls, path: Path) -> _LessonFile:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return cls(path, "", None, None)
        lines = text.splitlines(keepends=True)
        if not lines or lines[0].strip() != "---":
            return cls(path, text, None, None)
        start = end = len(lines[0])
        for line in lines[1:]:
            if line.strip() == "---":
                break
            end += len(line)
        else:
            return cls(path, text, None, None)
        try:
            data = yaml.safe_load(text[start:end])
        except yaml.YAMLError:
            data = None
        if not isinstance(data, dict):
            return cls(path, text, None, (start, end))
        slug, exercises = data.get("slug"), data.get("exercises")
        return cls(
            path,
            text,
            slug if isinstance(slug, str) else None,
            (start, end),
            tuple(exercises) if isinstance(exercises, list) else (),
        )

    def with_exercise(self, slug: str, relative) -> str:
        """The file with ``slug`` appended to its front matter's ``exercises``."""
        if self.front is None:
            raise ScaffoldError(
                f"{relative(self.path)} has no front matter to list the exercise in"
            )
        start, end = self.front
        front = _append_to_list(self.text[start:end], "exercises", slug, relative(self.path))
        return self.text[:start] + front + self.text[end:]


@dataclass
class _Course:
    root: Path
    manifest_text: str
    study_path: list
    lessons: list[_LessonFile]

    @classmethod
    def open(cls, path: Path | str) -> _Course:
        root = Path(path)
        manifest = root / "course.yaml"
        if not manifest.is_file():
            raise ScaffoldError(
                f"{root} is not a course directory: it has no course.yaml "
                f"(start a course with: python manage.py new_course {root})"
            )
        try:
            text = manifest.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ScaffoldError(f"{manifest} cannot be read: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("lessons"), list):
            raise ScaffoldError(
                f"{manifest} needs a 'lessons' list (the study path); fix it, then scaffold"
            )
        lessons = [_LessonFile.read(p) for p in sorted((root / "lessons").glob("*.md"))]
        return cls(root, text, data["lessons"], lessons)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def next_lesson_number(self) -> str:
        numbers = [re.match(r"\d+", lesson.path.name) for lesson in self.lessons]
        found = [match.group(0) for match in numbers if match]
        if not found:
            return "01"
        width = max(2, *(len(number) for number in found))
        return str(max(int(number) for number in found) + 1).zfill(width)

    def lesson_for_exercise(self, slug: str | None) -> _LessonFile | None:
        by_slug = {lesson.slug: lesson for lesson in self.lessons if lesson.slug}
        if slug is None:
            listed = [by_slug[s] for s in self.study_path if s in by_slug]
            return listed[-1] if listed else None
        if slug not in by_slug:
            known = ", ".join(self.study_path) or "none yet"
            raise ScaffoldError(
                f"lesson {slug!r} does not exist in {self.root} (its lessons: {known})"
            )
        return by_slug[slug]


# Editing YAML as written ----------------------------------------------------------------


def _append_to_list(text: str, key: str, item: str, file: str) -> str:
    """``text``, a YAML mapping, with ``item`` appended to the list under ``key`` (added
    when missing) and every other character as the author wrote it: comments, order and
    style stay. Refuses when the result would mean anything else."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        before = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScaffoldError(f"{file} is not valid YAML: {exc}") from None
    if node is None:
        before = {}
    elif not isinstance(node, yaml.MappingNode):
        raise ScaffoldError(f"{file} must be a mapping")
    value = _yaml_text(item)
    pair = next(((k, v) for k, v in (node.value if node else []) if k.value == key), None)
    if pair is None:
        separator = "" if not text or text.endswith("\n") else "\n"
        edited = f"{text}{separator}{key}: [{value}]\n"
    else:
        edited = _append_to_node(text, *pair, value, key=key, file=file)
    after = yaml.safe_load(edited)
    expected = {**before, key: [*(before.get(key) or []), item]}
    if after != expected:
        raise ScaffoldError(f"could not add {item!r} to {key!r} in {file}; add it by hand")
    return edited


def _append_to_node(text: str, key_node, node, value: str, *, key: str, file: str) -> str:
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
        # `key:` with nothing (or null, ~) after it: the rest of its line becomes the list.
        line_end = text.find("\n", key_node.end_mark.index)
        line_end = len(text) if line_end < 0 else line_end
        return f"{text[: key_node.end_mark.index]}: [{value}]{text[line_end:]}"
    if not isinstance(node, yaml.SequenceNode):
        raise ScaffoldError(f"{key!r} in {file} must be a list")
    if node.flow_style:
        if not node.value:
            return f"{text[: node.start_mark.index]}[{value}]{text[node.end_mark.index :]}"
        at = node.value[-1].end_mark.index
        return f"{text[:at]}, {value}{text[at:]}"
    last = node.value[-1]
    line_start = text.rfind("\n", 0, last.start_mark.index) + 1
    dash = text[line_start : last.start_mark.index]
    if not re.fullmatch(r"[ \t]*-[ \t]+", dash):
        raise ScaffoldError(f"could not add {value} to {key!r} in {file}; add it by hand")
    line_end = text.find("\n", last.end_mark.index)
    line_end = len(text) if line_end < 0 else line_end
    return f"{text[:line_end]}\n{dash}{value}{text[line_end:]}"


def _yaml_text(text: str) -> str:
    """``text`` as a YAML scalar that reads back as that string: plain when it does
    (most slugs), quoted when YAML would read something else (yes, 2024, null)."""
    try:
        plain = yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text, ensure_ascii=False)


def _yaml_title(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _fill(template: str, **values: str) -> str:
    for name, value in values.items():
        template = template.replace(f"<<{name}>>", value)
    return template


# Writing --------------------------------------------------------------------------------


def _write(root: Path, files: dict[str, str], updated: dict[str, str] | None = None) -> Created:
    """Create ``files`` (never over an existing one) and then replace ``updated``; if any
    write fails, what this call created is removed again."""
    created: list[Path] = []
    try:
        for name, text in files.items():
            path = root / name
            for parent in reversed(path.relative_to(root).parents[:-1]):
                folder = root / parent
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                created.append(path)
                handle.write(text)
        for name, text in (updated or {}).items():
            _replace(root / name, text)
    except BaseException:
        for path in reversed(created):
            _remove(path)
        raise
    return Created(files, updated or {})


def _replace(path: Path, text: str) -> None:
    """Write ``text`` over ``path`` atomically: a reader sees the old file or the new."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


# What the files say -----------------------------------------------------------------------


def _lesson_files(slug: str, title: str, *, number: str, glossary_links: bool = False) -> dict:
    gradient, learning_rate = (
        ("[gradient](glossary:gradient)", "[learning rate](glossary:learning-rate)")
        if glossary_links
        else ("gradient", "learning rate")
    )
    return {
        f"lessons/{number}-{slug}.md": _fill(
            LESSON_MD,
            slug=_yaml_text(slug),
            title=_yaml_title(title),
            gradient=gradient,
            learning_rate=learning_rate,
        ),
        f"quizzes/{slug}.yaml": _fill(
            QUIZ_YAML, slug=_yaml_text(slug), title=_yaml_title(f"Checkpoint: {title}")
        ),
    }


def _exercise_files(slug: str, title: str, lesson: str | None) -> dict[str, str]:
    entry = entry_name(slug)
    lesson_line = f"lesson: {_yaml_text(lesson)}\n" if lesson else ""
    values = {
        "slug": slug,
        "title": title,
        "entry": entry,
        "yaml_slug": _yaml_text(slug),
        "yaml_title": _yaml_title(title),
        "yaml_entry": _yaml_text(entry),
        "lesson_line": lesson_line,
    }
    return {name: _fill(template, **values) for name, template in EXERCISE_TEMPLATES.items()}


COURSE_YAML = """\
slug: <<slug>>
title: <<title>>
description: >
  How a model learns from its mistakes: a loss measures them, the gradient says which
  way is uphill, and gradient descent steps the other way, again and again. Short
  lessons end in a checkpoint quiz, and numpy exercises are graded as you go.
prerequisites: ["Python", "a little numpy"]
lessons:            # the study path, in order (lesson slugs)
  - <<first_lesson>>
"""

GLOSSARY_YAML = """\
- slug: gradient
  term: "Gradient"
  definition: "The vector of slopes of the loss, one per weight; it points where the loss grows fastest."
  why: "Stepping against it is the locally steepest way down, the move every optimizer is built on."
  myth: "The negative gradient points straight at the minimum."
  reality: "It points steepest downhill from here, which in a narrow valley is mostly across the valley, not along it."

- slug: learning-rate
  term: "Learning rate"
  definition: "The number that scales each update: how far the weights move per unit of gradient."
  why: "Too small and training crawls; too large and it overshoots, climbs and ends in NaN."
  myth: "A smaller learning rate is always safer."
  reality: "Too small wastes steps and stalls on plateaus; the best rate is the largest one that still goes downhill."
"""

LESSON_MD = r"""---
slug: <<slug>>
title: <<title>>
summary: "The gradient points uphill, so step the other way: one update, repeated."
minutes: 10
think: "You stand on a slope in thick fog and can only feel the ground under your feet. Which way do you step, and how far?"
exercises: []
quiz: <<slug>>
---

Every model learns by repeating one move: measure how wrong it is, find which way is
uphill, and step the other way. This lesson is about that step.

## One step downhill

The <<gradient>> $\nabla L(\theta)$ points in the direction in which the loss grows
fastest. Gradient descent steps against it, scaled by the <<learning_rate>> $\alpha$:

$$
\theta \leftarrow \theta - \alpha \, \nabla L(\theta)
$$

On the bowl $f(x) = x^2$ the slope is $f'(x) = 2x$. From $x_0 = 4$ with $\alpha = 0.25$
the first step lands on $x_1 = 4 - 0.25 \cdot 8 = 2$, and every step after it halves $x$
again, because $x - 0.25 \cdot 2x = 0.5\,x$.

| step | $x$ | $f(x)$ |
|---|---|---|
| 0 | 4 | 16 |
| 1 | 2 | 4 |
| 2 | 1 | 1 |

```python
x, lr = 4.0, 0.25
for step in range(3):
    x = x - lr * 2 * x  # the slope of x**2 is 2x
print(x)  # 0.5
```

!!! plain "Plain version"
    Feel which way the ground rises under your feet, take a small step the other way,
    and do it again.

!!! reality "Engineering reality"
    A step that is too large overshoots the bottom: on $f(x) = x^2$ any $\alpha$ above
    1 makes $|x|$ grow at every step, and the run ends in overflow and NaN.
"""

QUIZ_YAML = r"""slug: <<slug>>
title: <<title>>
pass_threshold: 0.8
questions:
  - id: why-against-the-gradient
    kind: single
    prompt: "Why does gradient descent step *against* the gradient?"
    choices:
      - text: "The gradient points where the loss grows fastest, so its opposite is the steepest way down."
        correct: true
        explanation: "Right: training wants the loss to go down, and locally the fastest way down is opposite the gradient."
      - text: "The gradient points straight at the minimum, and stepping against it adds useful noise."
        explanation: "The gradient points uphill, not at the minimum; stepping along it would raise the loss."
      - text: "It is a convention; stepping along the gradient works as well."
        explanation: "Stepping along the gradient is gradient ascent: it climbs the loss."

  - id: too-large-a-rate
    kind: multiple
    prompt: "What can happen when the learning rate is far too large?"
    choices:
      - text: "The loss grows from one step to the next."
        correct: true
        explanation: "Each step overshoots the bottom and lands higher up the other side."
      - text: "The weights overflow to inf and the loss becomes NaN."
        correct: true
        explanation: "Growth that compounds at every step ends in overflow."
      - text: "Training crawls, because each step barely moves the weights."
        explanation: "That is a learning rate that is too small."

  - id: three-steps
    kind: numeric
    prompt: 'Gradient descent on $f(x) = x^2$ starts at $x_0 = 4$ with $\alpha = 0.25$. What is $x_3$, after three steps?'
    answer: 0.5
    tolerance: {abs: 0.001}
    explanation: 'Each step multiplies $x$ by $1 - 2\alpha = 0.5$: $4 \to 2 \to 1 \to 0.5$.'

  - id: one-step-drawn
    kind: param_numeric
    prompt: 'On $f(x) = {a} x^2$, from $x_0 = {x0}$ with $\alpha = {alpha}$, what is $x_1$ after one step?'
    params:
      a: {choices: [1, 2, 3]}
      x0: {min: 1, max: 5, step: 1}
      alpha: {choices: [0.05, 0.1, 0.15]}
    answer: "x0 - alpha * 2 * a * x0"
    tolerance: {rel: 0.001}
    explanation: 'The slope of $a x^2$ is $2 a x$, so $x_1 = x_0 - \alpha \cdot 2 a x_0 = {answer}$.'

  - id: training-step-order
    kind: ordering
    prompt: "Put the moves of one training step in order."
    items:
      - "Forward pass: the model predicts"
      - "Compute the loss"
      - "Backpropagate: compute the gradient"
      - "Update the weights"
    explanation: "The loss needs predictions, the gradient needs the loss, and the update needs the gradient."
"""

EXERCISE_YAML = """\
slug: <<yaml_slug>>
title: <<yaml_title>>
<<lesson_line>>entry: <<yaml_entry>>
kind: function
signature: "<<entry>>(w, X, y) -> ndarray"
points: 10
limits: {time_s: 5, memory_mb: 256}
hints:
  - "Start from the misses: `X @ w - y` holds one number per example."
  - "`X.T @ misses` adds up, for every weight at once, each example's miss times its feature."
  - "Divide by n, the number of examples (`len(y)`), and keep the 2 from the power rule."
mistakes:
  - file: mistakes/missing-factor-two.py
    title: "missing factor 2"
    hint: "Your gradient is exactly half the right one. The derivative of u^2 is 2u: the 2 from the power rule stays in the gradient."
"""

STATEMENT_MD = r"""# <<title>>

A linear model predicts $\hat y = X w$ for a batch of $n$ examples, the rows $x_i$ of
$X$, with the weights $w$. Its mean squared error, and the gradient of that error with
respect to the weights, are

$$
L(w) = \frac{1}{n} \sum_{i=1}^{n} (x_i \cdot w - y_i)^2,
\qquad
\nabla L(w) = \frac{2}{n} X^\top (X w - y).
$$

Each example pulls on every weight in proportion to its miss $x_i \cdot w - y_i$ and to
its own feature for that weight; the gradient is the average pull, doubled by the power
rule.

## What to write

```python
def <<entry>>(w, X, y) -> ndarray:
    ...
```

- `w` has shape `(d,)`, `X` has shape `(n, d)` and `y` has shape `(n,)`, all float64.
- Return a **new** float64 array shaped like `w` holding $\nabla L(w)$.
- Do not modify the inputs.

## Example

```python
>>> import numpy as np
>>> X = np.array([[1.0, 2.0], [0.0, 1.0]])
>>> <<entry>>(np.array([1.0, -1.0]), X, np.array([0.0, 1.0]))
array([-1., -4.])
```

Here $X w = (-1, -1)$ misses the targets by $(-1, -2)$, so
$\nabla L = \frac{2}{2} X^\top (-1, -2) = (-1, -4)$.
"""

STARTER_PY = '''\
import numpy as np


def <<entry>>(w, X, y):
    """Gradient of the mean squared error of the predictions X @ w against y, with
    respect to w: a new array shaped like w. Leave the inputs unchanged."""
    misses = X @ w - y
    # replace this placeholder with the gradient
    return np.zeros_like(w)
'''

REFERENCE_PY = """\
import numpy as np


def <<entry>>(w, X, y):
    X = np.asarray(X, dtype=np.float64)
    misses = X @ w - y
    return (2.0 / X.shape[0]) * (X.T @ misses)
"""

CHECKS_PY = '''\
"""How <<slug>> is graded. Each check draws its inputs with a case function, calls the
student's code in the sandbox and reference.py here, and judges what comes back; see
docs/authoring.md for every kind of check."""

import numpy as np

from judge.checks import GradientCheck, NoMutationCheck, PropertyCheck, ReferenceCheck, call


def problems(d):
    """A regression problem: n examples of `features` features, at several scales."""
    n = d.integers(1, 8)
    features = d.integers(1, 4)
    scale = d.choice([0.1, 1.0, 10.0])
    return call(
        d.array((features,)), d.array((n, features), scale=scale), d.array((n,), scale=scale)
    )


def moderate_problems(d):
    # Finite differences lose digits on large losses: keep the values near 1.
    n = d.integers(1, 6)
    features = d.integers(1, 3)
    return call(d.array((features,)), d.array((n, features)), d.array((n,)))


def exact_fits(d):
    """Targets the weights predict exactly: the loss is 0, its minimum."""
    n = d.integers(1, 8)
    features = d.integers(1, 4)
    w, X = d.array((features,)), d.array((n, features))
    return call(w, X, X @ w)


def mse(c):
    w, X, y = c.args
    return float(np.mean((X @ w - y) ** 2))


def shaped_like_w(c, out):
    w = c.args[0]
    if isinstance(out, np.ndarray) and out.shape == w.shape:
        return None
    got = out.shape if isinstance(out, np.ndarray) else type(out).__name__
    return f"the gradient must be an array shaped like w {w.shape}, not {got}"


def zero_at_exact_fit(c, out):
    problem = shaped_like_w(c, out)
    if problem:
        return problem
    w, X, _ = c.args
    # A correct solution may compute X.T @ X @ w - X.T @ y, which is 0 only up to rounding.
    tolerance = 1e-9 * (1.0 + np.abs(X).max() ** 2 * np.abs(w).sum())
    if np.all(np.abs(out) <= tolerance):
        return None
    return (
        "where X @ w equals y exactly the loss is at its minimum, so the gradient must be 0, "
        f"but yours is {np.round(out, 6).tolist()}"
    )


CHECKS = [
    ReferenceCheck(
        "matches the reference on random problems (1 to 8 examples, 1 to 4 features)",
        problems,
        cases=20,
        points=4,
        rtol=1e-6,
        atol=1e-8,
    ),
    GradientCheck(
        "matches finite differences of the mean squared error",
        moderate_problems,
        mse,
        cases=4,
        points=2,
    ),
    PropertyCheck(
        "is zero where the predictions are exact", exact_fits, zero_at_exact_fit, cases=3, points=1
    ),
    PropertyCheck("keeps the shape of w", problems, shaped_like_w, cases=3, points=1),
    NoMutationCheck("does not modify w, X or y", problems, cases=3),
]
'''

MISTAKE_PY = """\
def <<entry>>(w, X, y):
    return X.T @ (X @ w - y) / len(y)
"""

CORRECT_PY = """\
import numpy as np


def <<entry>>(w, X, y):
    # one example at a time: 2 * miss * features, averaged
    grad = np.zeros(len(w))
    for x_i, y_i in zip(X, y):
        grad += 2.0 * (x_i @ w - y_i) * x_i
    return grad / len(y)
"""

WRONG_PY = """\
# wrong: differentiates the sum of the squared errors, not their mean (never divides by n)
def <<entry>>(w, X, y):
    return 2.0 * X.T @ (X @ w - y)
"""

EXERCISE_TEMPLATES = {
    "exercise.yaml": EXERCISE_YAML,
    "statement.md": STATEMENT_MD,
    "starter.py": STARTER_PY,
    "reference.py": REFERENCE_PY,
    "checks.py": CHECKS_PY,
    f"mistakes/{MISTAKE}.py": MISTAKE_PY,
    "tests/correct/one-example-at-a-time.py": CORRECT_PY,
    "tests/wrong/sum-not-mean.py": WRONG_PY,
}
