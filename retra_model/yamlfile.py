"""Read a YAML file safely and remember the line of every key.

Scenario files are written by hand, so this reader is strict: it refuses binary files,
files that are not UTF-8, files over :data:`MAX_BYTES`, duplicate keys, anchors and
aliases (no "billion laughs"), and every tag (``!!python/object`` and friends are never
constructed). What it returns is plain data plus a map from key path to line number, so
that later checks can say where a problem is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import units
from .errors import Problem, ScenarioError

MAX_BYTES = 256 * 1024
"""Largest scenario file accepted [bytes]; a scenario is a small diff, not a data set."""

KeyPath = tuple[Any, ...]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


def format_path(path: KeyPath) -> str:
    """Render a key path as a strategist reads it: ``projects.powerco.jobs.2030``."""
    return ".".join(str(p) for p in path) if path else "(top level)"


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases."""

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in scenario files", event.start_mark
            )
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.MarkedYAMLError(
                None, None, f"anchors (&{anchor}) are not allowed in scenario files", event.start_mark
            )
        return super().compose_node(parent, index)


_CLoader = getattr(yaml, "CSafeLoader", None)


def _compose_fast(text: str) -> yaml.Node | None:
    """Compose with libyaml (about 20× faster) when the text is plain YAML; ``None`` otherwise.

    ``None`` (anchors, aliases, a syntax error, no libyaml) sends :func:`load` to the
    pure-Python reader, which refuses such files with its usual located messages, so the
    messages do not depend on whether libyaml is installed.
    """
    if _CLoader is None:
        return None
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                return None
        return yaml.compose(text, Loader=_CLoader)
    except yaml.YAMLError:
        return None


def read_text(path: Path, what: str = "scenario") -> str:
    """Read a small UTF-8 text file or raise a located :class:`ScenarioError`."""
    name = str(path)
    if not path.exists():
        raise ScenarioError([Problem(name, "", None, f"the {what} file does not exist")])
    if path.is_dir():
        raise ScenarioError([Problem(name, "", None, f"this is a folder, not a {what} file")])
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ScenarioError(
            [Problem(name, "", None, f"the file is {size:,} bytes; a {what} file may have at most {MAX_BYTES:,}")]
        )
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise ScenarioError([Problem(name, "", None, "this is a binary file, not a YAML text file")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [Problem(name, "", line, "the file is not UTF-8 text; save it as UTF-8 in your editor")]
        ) from None


def load(path: Path) -> tuple[Any, dict[KeyPath, int]]:
    """Load a YAML file into plain Python data and a key-path → line map.

    Parameters
    ----------
    path : pathlib.Path
        The file to read.

    Returns
    -------
    data : dict or list or scalar
        The content, built from plain YAML types only (timestamps become strings).
    lines : dict
        1-based line of every key (and list item), by key path.

    Raises
    ------
    ScenarioError
        For every problem, with file and line: not found, too large, binary, not UTF-8,
        not YAML, empty, duplicate keys, tags, anchors or aliases.
    """
    text = read_text(path)
    name = str(path)
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise ScenarioError([Problem(name, "", None, "the file is empty")])
    node = _compose_fast(text)
    try:
        if node is None:  # the careful pure-Python reader: it words every problem
            node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        why = exc.problem or exc.context or "not valid YAML"
        raise ScenarioError(
            [Problem(name, "", line, f"this is not valid YAML: {why} (check indentation and colons)")]
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, "", None, f"this is not valid YAML: {exc}")]) from None
    if node is None:
        raise ScenarioError([Problem(name, "", None, "the file is empty")])

    problems: list[Problem] = []
    lines: dict[KeyPath, int] = {}
    constructor = yaml.SafeLoader("")

    def build(n: yaml.Node, at: KeyPath) -> Any:
        if n.tag not in _PLAIN_TAGS:
            problems.append(
                Problem(name, format_path(at), n.start_mark.line + 1,
                        f"YAML tags such as '{n.tag}' are not allowed; write plain values")
            )
            return None
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in n.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    problems.append(Problem(name, format_path(at), key_node.start_mark.line + 1,
                                            "a key must be a plain word or number"))
                    continue
                key = build(key_node, at)
                if key in out:
                    problems.append(
                        Problem(name, format_path((*at, key)), key_node.start_mark.line + 1,
                                f"the key '{key}' appears twice here (first on line "
                                f"{lines[(*at, key)]}); keep one")
                    )
                    continue
                lines[(*at, key)] = key_node.start_mark.line + 1
                out[key] = build(value_node, (*at, key))
            return out
        if isinstance(n, yaml.SequenceNode):
            items = []
            for i, item in enumerate(n.value):
                lines[(*at, i)] = item.start_mark.line + 1
                items.append(build(item, (*at, i)))
            return items
        if (n.tag == "tag:yaml.org,2002:float" and not n.style
                and (units.is_grouped(n.value))):
            # YAML reads 4.000 as 4.0: refuse a number that a German reader means as 4000
            problems.append(Problem(name, format_path(at), n.start_mark.line + 1,
                                    str(units.separator_problem(n.value.strip()))))
            return None
        value = constructor.construct_object(n, deep=True)
        if n.tag == "tag:yaml.org,2002:timestamp":
            return n.value
        return value

    data = build(node, ())
    lines.setdefault((), node.start_mark.line + 1)
    if problems:
        raise ScenarioError(problems)
    return data, lines


def dump(data: Any) -> str:
    """Write plain data as YAML in a stable, readable layout (keys in the given order)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
