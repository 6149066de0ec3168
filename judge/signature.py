"""An exercise's interface, ``mse_loss(y_pred, y_true) -> float`` or ``class Value``:
parsed once, here, for the importer, the engine and the pages that name parameters."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass


class SignatureInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Parameter:
    name: str
    has_default: bool


@dataclass(frozen=True)
class Signature:
    text: str
    entry: str
    kind: str  # "function" | "class"
    parameters: tuple[Parameter, ...] = ()

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]


def parse_signature(text: str, entry: str, kind: str = "function") -> Signature:
    """Raise SignatureInvalid, with a message for the exercise's author, when ``text`` is
    not the interface of ``entry``."""
    text = text.strip()
    if kind == "class":
        if text != f"class {entry}":
            raise SignatureInvalid(f"a class exercise's signature is 'class {entry}'")
        return Signature(text, entry, kind)
    head = text.split("->", 1)[0].strip()
    try:
        tree = ast.parse(f"def {head}: pass")
        function = tree.body[0]
        if not isinstance(function, ast.FunctionDef):
            raise SyntaxError("not a function header")
    except SyntaxError as exc:
        raise SignatureInvalid(f"signature {text!r} does not parse: {exc.msg}") from None
    if function.name != entry:
        raise SignatureInvalid(f"signature names {function.name!r} but entry is {entry!r}")
    positional = function.args.args
    defaults_from = len(positional) - len(function.args.defaults)
    parameters = tuple(
        Parameter(arg.arg, index >= defaults_from) for index, arg in enumerate(positional)
    )
    return Signature(text, entry, kind, parameters)


def parameter_names(text: str, entry: str, kind: str = "function") -> list[str]:
    """The parameters' names, or none when the text is not a valid signature (a page
    naming failing inputs then falls back to "argument 1", "argument 2")."""
    try:
        return parse_signature(text, entry, kind).names
    except SignatureInvalid:
        return []


def signature_problem(signature: Signature, names: dict) -> str:
    """What is wrong with the names a loaded submission defines (as the sandbox reports
    them), against the exercise's interface; empty when nothing is."""
    info = names.get(signature.entry)
    entry = signature.entry
    if info is None:
        return f"your code does not define {entry!r} (expected {signature.text})"
    if signature.kind == "class":
        return "" if info.kind == "class" else f"{entry!r} must be a class"
    if info.kind != "function":
        what = "a class" if info.kind == "class" else "not a function"
        return f"{entry!r} must be a function, but it is {what}"
    if info.params is None:
        return ""
    # The sandbox reports parameters as inspect shows them: "x", "lr=0.001", "*args".
    given = [(_name(text), "=" in text) for text in info.params]
    shown = f"({', '.join(info.params)})"
    mismatch = f"expected {signature.text}, but your function takes {shown}"
    if len(given) < len(signature.parameters):
        return mismatch
    for (name, has_default), wanted in zip(given, signature.parameters, strict=False):
        # The checks pass the parameters without a default by position, so their names
        # are the student's to choose (signature_note says so); those with a default
        # they pass by name, so those names must match.
        if name.startswith("*") or (wanted.has_default and name != wanted.name):
            return mismatch
        if wanted.has_default and not has_default:
            return f"parameter {name!r} needs a default value, as in {signature.text}"
    for name, has_default in given[len(signature.parameters) :]:
        if not has_default and not name.startswith("*"):
            return f"extra parameter {name!r} must have a default value (expected {signature.text})"
    return ""


def signature_note(signature: Signature, names: dict) -> str:
    """For a function signature_problem accepts whose positional parameters have other
    names than the statement's: a sentence saying it was graded anyway; else ""."""
    info = names.get(signature.entry)
    if signature.kind == "class" or info is None or not info.params:
        return ""
    given = [_name(text) for text in info.params[: len(signature.parameters)]]
    if given == signature.names:
        return ""
    return (
        f"Your function names its parameters ({', '.join(given)}) where the statement "
        f"says ({', '.join(signature.names)}). It was graded all the same, since the checks "
        "pass them in that order; the statement's names make your code easier to read "
        "beside it."
    )


def named_inputs(failing: dict | None, names: list[str]) -> dict | None:
    """A failing input with the exercise's parameter names for the checks' positional
    arguments (arg1 -> y_pred), as the statement writes them; arguments past ``names``
    (and all of them without names: a class exercise, a bad signature) keep their
    numbers, as does one whose name a keyword argument of the call already uses."""
    if not isinstance(failing, dict) or not names:
        return failing
    named = {}
    for key, value in failing.items():
        index = int(key[3:]) if key.startswith("arg") and key[3:].isdigit() else 0
        name = names[index - 1] if 0 < index <= len(names) else key
        named[key if name in failing and name != key else name] = value
    # In the signature's order, whatever order the stored result kept (jsonb: shortest
    # key first), so every page and the API list grad_fn, x0, lr, steps as written.
    place = {name: index for index, name in enumerate(names)}
    ordered = sorted(named, key=lambda key: place.get(key, len(names)))
    return {key: named[key] for key in ordered}


def _name(parameter: str) -> str:
    match = re.match(r"\**\w*", parameter)
    return match.group(0) if match else parameter
