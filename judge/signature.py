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
    expected = signature.names
    shown = f"({', '.join(info.params)})"
    if [name for name, _ in given][: len(expected)] != expected:
        return f"expected {signature.text}, but your function takes {shown}"
    for (name, has_default), wanted in zip(given, signature.parameters, strict=False):
        if wanted.has_default and not has_default:
            return f"parameter {name!r} needs a default value, as in {signature.text}"
    for name, has_default in given[len(expected) :]:
        if not has_default and not name.startswith("*"):
            return f"extra parameter {name!r} must have a default value (expected {signature.text})"
    return ""


def _name(parameter: str) -> str:
    match = re.match(r"\**\w*", parameter)
    return match.group(0) if match else parameter
