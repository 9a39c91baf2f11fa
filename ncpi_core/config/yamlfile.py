"""Read a YAML file keeping the line of every key, so a validation error can name it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ncpi_core.errors import Problem, ValidationFailed

Path_ = tuple[str | int, ...]


# libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):
    """Safe loader that leaves dates as strings: pydantic parses them and names a bad one."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _index(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index(value_node, (*path, key), lines)
            # the key's own line is the most useful one for a scalar value
            if isinstance(value_node, yaml.ScalarNode):
                lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines)


class YamlDoc:
    """A parsed YAML document with a line for each path in it."""

    def __init__(self, name: str, data: Any, lines: dict[Path_, int]) -> None:
        self.name = name
        self.data = data
        self.lines = lines

    def line_of(self, path: Path_) -> int | None:
        """Return the line of the deepest known prefix of `path`."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)


def parse_yaml(text: str, name: str) -> YamlDoc:
    """Parse YAML text; a syntax error becomes a Problem naming the line."""
    loader = _Loader(text)
    try:  # parsed once: the nodes give each key's line, and the data is constructed from them
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise ValidationFailed(
            [Problem(name, line, "", f"not valid YAML: {exc.problem or exc}")]
        ) from None
    except yaml.YAMLError as exc:
        raise ValidationFailed([Problem(name, None, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _index(node, (), lines)
    return YamlDoc(name, data, lines)


def read_yaml(path: Path) -> YamlDoc:
    """Read and parse a YAML file; a missing or unreadable file is a Problem too."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationFailed([Problem(str(path), None, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed([Problem(str(path), None, "", f"cannot read the file: {exc}")]) from None
    return parse_yaml(text, str(path))


def problems_from_pydantic(doc: YamlDoc, exc: Any) -> list[Problem]:
    """Turn a pydantic ValidationError into Problems with file, line and field."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        field = ".".join(str(p) for p in loc)
        msg = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        elif err.get("type") == "missing":
            msg = "this field is required"
        problems.append(Problem(doc.name, doc.line_of(loc), field, msg))
    return problems
