"""A restricted Jinja2 sandbox for e-mail templates that tenant admins edit in the console.

Templates are untrusted input. Jinja2's ``SandboxedEnvironment`` blocks access to Python
internals, but still lets a template call string methods or multiply strings, and one line such
as ``{{ "x" * 10**10 }}`` would exhaust the server's memory. So ``compile_template`` first
accepts only the constructs that an e-mail needs: printing the allowed variables, ``{% if %}``
blocks, comparisons, ``~`` and ``+`` concatenation, tests and a short list of text filters. The
environment rejects calls and arithmetic again at run time, and rendering stops at a size limit.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from types import TracebackType
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from hub.errors import InvalidInputError

ALLOWED_FILTERS = ("capitalize", "default", "lower", "title", "trim", "truncate", "upper")

# Node types a template may contain. Everything else (loops, macros, {% set %}, calls,
# attribute access, indexing, arithmetic, includes) is rejected before compiling.
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.Name,
    nodes.If,
    nodes.Filter,
    nodes.Test,
    nodes.Keyword,
    nodes.Concat,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Compare,
    nodes.Operand,
    nodes.Add,
    nodes.Neg,
    nodes.Pos,
)

_CONSTRUCT_NAMES: dict[type[nodes.Node], str] = {
    nodes.For: "a {% for %} loop",
    nodes.Macro: "a {% macro %}",
    nodes.CallBlock: "a {% call %} block",
    nodes.Call: "a function or method call",
    nodes.Getattr: "attribute access (name.attribute)",
    nodes.Getitem: "indexing (name[...])",
    nodes.Slice: "slicing (name[a:b])",
    nodes.Assign: "{% set %}",
    nodes.AssignBlock: "{% set %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Extends: "{% extends %}",
    nodes.Block: "a {% block %}",
    nodes.FilterBlock: "a {% filter %} block",
    nodes.With: "a {% with %} block",
    nodes.Mul: "multiplication (*)",
    nodes.Div: "division (/)",
    nodes.FloorDiv: "division (//)",
    nodes.Mod: "the % operator",
    nodes.Pow: "the ** operator",
    nodes.Sub: "subtraction (-)",
    nodes.List: "a list",
    nodes.Tuple: "a tuple",
    nodes.Dict: "a dictionary",
}

TEMPLATE_FILE_NAME = "<template>"


class TemplateCheckError(InvalidInputError):
    """A template cannot be saved; the message names the field, the line and the fix."""

    code = "invalid-mail-template"


class MailSandbox(SandboxedEnvironment):
    """The sandbox without globals, calls or arithmetic, and with a few text filters only."""

    intercepted_binops = frozenset({"*", "/", "//", "%", "**", "-"})

    def __init__(self) -> None:
        # Jinja's default whitespace handling: a block tag never removes the line break after
        # it, so what a tenant admin types is what the earner reads.
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.globals.clear()
        self.filters = {name: FILTERS[name] for name in ALLOWED_FILTERS}
        self.filters["d"] = FILTERS["default"]

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        raise SecurityError(f"the {operator} operator is not available in e-mail templates")

    def call(
        __self,  # noqa: N805 - the signature of SandboxedEnvironment.call
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        raise SecurityError("calls are not available in e-mail templates")


_SANDBOX = MailSandbox()


# Compiling takes milliseconds, and delivery renders the same few templates for every e-mail.
@functools.lru_cache(maxsize=256)
def compile_template(source: str, field: str, variables: tuple[str, ...]) -> Any:
    """Compile one template field, rejecting syntax errors and constructs the sandbox forbids.

    ``field`` names the template part (``subject``, ``body``) in error messages, and
    ``variables`` are the names the template may use.
    """
    try:
        tree = _SANDBOX.parse(source, filename=TEMPLATE_FILE_NAME)
    except TemplateSyntaxError as error:
        raise TemplateCheckError(
            f"the {field} has a template syntax error on line {error.lineno}: "
            f"{_sentence(error.message)}; correct it and save again",
            field=field,
            line=error.lineno,
        ) from None
    _check_constructs(tree, field)
    _check_filters(tree, field)
    _check_variables(tree, field, variables)
    try:
        return _SANDBOX.from_string(tree)
    except TemplateSyntaxError as error:
        # Raised for names Jinja resolves at compile time, such as an unknown test.
        raise TemplateCheckError(
            f"the {field} cannot be compiled (line {error.lineno}): {_sentence(error.message)}; "
            "correct it and save again",
            field=field,
            line=error.lineno,
        ) from None


def render_template(template: Any, field: str, values: Mapping[str, Any], max_chars: int) -> str:
    """Render a compiled template, stopping with ``TemplateCheckError`` past ``max_chars``."""
    parts: list[str] = []
    size = 0
    try:
        for part in template.generate(**values):
            size += len(part)
            if size > max_chars:
                raise TemplateCheckError(
                    f"the {field} renders to more than {max_chars:,} characters; shorten it",
                    field=field,
                )
            parts.append(part)
    except (TemplateError, TypeError, ValueError, RecursionError) as error:
        line = _template_line(error.__traceback__)
        where = f" on line {line}" if line else ""
        raise TemplateCheckError(
            f"the {field} failed to render{where}: {_sentence(str(error))}; correct the template "
            "and save again",
            field=field,
            line=line,
        ) from None
    return "".join(parts)


def _check_constructs(tree: nodes.Template, field: str) -> None:
    for node in tree.find_all(nodes.Node):
        if isinstance(node, _ALLOWED_NODES):
            continue
        construct = _CONSTRUCT_NAMES.get(type(node), f"the {type(node).__name__} construct")
        raise TemplateCheckError(
            f"the {field} uses {construct} on line {node.lineno}, which e-mail templates do not "
            "allow; they can print variables ({{ earner_name }}), use {% if %} blocks and the "
            f"filters {', '.join(ALLOWED_FILTERS)}",
            field=field,
            line=node.lineno,
        )


def _check_filters(tree: nodes.Template, field: str) -> None:
    for node in tree.find_all(nodes.Filter):
        if node.name not in _SANDBOX.filters:
            raise TemplateCheckError(
                f"the {field} uses the filter {node.name!r} on line {node.lineno}, which e-mail "
                f"templates do not offer; use one of {', '.join(ALLOWED_FILTERS)}",
                field=field,
                line=node.lineno,
            )


def _check_variables(tree: nodes.Template, field: str, variables: Collection[str]) -> None:
    unknown: dict[str, int] = {}
    for node in tree.find_all(nodes.Name):
        if node.name not in variables:
            unknown.setdefault(node.name, node.lineno)
    if not unknown:
        return
    first_line = min(unknown.values())
    names = ", ".join(f"{name!r} (line {line})" for name, line in unknown.items())
    raise TemplateCheckError(
        f"the {field} uses unknown variable{'s' if len(unknown) > 1 else ''} {names}; the "
        f"variables you can use are {', '.join(variables)}",
        field=field,
        line=first_line,
        unknown=sorted(unknown),
        allowed=list(variables),
    )


def _template_line(traceback: TracebackType | None) -> int | None:
    """Return the template line of the innermost frame of rendered template code, if any."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == TEMPLATE_FILE_NAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _sentence(message: str | None) -> str:
    """Return Jinja's message without its final full stop, to continue the sentence."""
    return (message or "unknown error").rstrip(".")
