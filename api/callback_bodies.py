"""What a well-formed Dash callback request is: the JSON body Dash's renderer posts to
``/_dash-update-component``, checked against the callback it names before Dash runs it.

Dash itself trusts that body: ``{}``, ``null``, an unknown output, an input of another
callback or a number where a path belongs each end in an exception deep inside Dash or a
callback, i.e. a 500 with a traceback. :func:`check_callback_body` names what is wrong instead,
for a 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from config.logging_setup import clip

# How much of a client's value an error message repeats.
SHOWN = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Dash's pattern-matching wildcards as they appear in a callback's declared ids.
_MULTI_WILDCARDS = ({"ALL"}, {"ALLSMALLER"})


class BadCallbackRequest(ValueError):
    """A callback request the station refuses with a 400; the message says why."""


def _count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def _text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _path(value: Any) -> bool:
    # A browser's location.pathname: percent-encoded, so never a raw control character.
    return isinstance(value, str) and value.startswith("/") and not _CONTROL.search(value)


def _choice(value: Any) -> bool:
    def scalar(item: Any) -> bool:
        return isinstance(item, str | int | float) and not isinstance(item, bool)

    return _text(value) or (isinstance(value, list) and all(scalar(item) for item in value))


# The shape of each property the station's callbacks read, as the browser's components send it
# (dcc.Location, dcc.Interval, buttons; the pickers' dropdowns hold instrument keys). A property
# not listed here reaches its callback unchecked.
VALUE_SHAPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "pathname": (_path, "a path starting with '/'"),
    "search": (_text, "text"),
    "hash": (_text, "text"),
    "href": (_text, "text"),
    "n_intervals": (_count, "a count"),
    "n_clicks": (_count, "a count"),
    "value": (_choice, "text or a list of keys"),
}


def shown(value: Any) -> str:
    """A client's value as an error message may repeat it: escaped and cut short."""
    return clip(json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value), SHOWN)


def _declared_id(text: str) -> str | dict:
    """A declared component id: a string, or a pattern-matching dict (``{"index": ["MATCH"], …}``)."""
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        return parsed if isinstance(parsed, dict) else text
    return text


def declared_outputs(output: str) -> list[tuple[str | dict, str]]:
    """The (id, property) outputs a callback key names: ``a.b`` or ``..a.b...c.d..``."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    return [(_declared_id(part.rsplit(".", 1)[0]), part.rsplit(".", 1)[-1]) for part in parts]


def _is_multi(id_spec: str | dict) -> bool:
    """Whether a declared id matches a list of components (ALL, ALLSMALLER), not one."""
    return isinstance(id_spec, dict) and any(
        isinstance(v, list) and set(v) in _MULTI_WILDCARDS for v in id_spec.values()
    )


def _check_id(given: Any, id_spec: str | dict, where: str) -> None:
    if not isinstance(id_spec, dict):
        if given != id_spec:
            raise BadCallbackRequest(f"{where}: id {shown(given)} is not the callback's {id_spec!r}")
        return
    if not isinstance(given, dict) or set(given) != set(id_spec):
        raise BadCallbackRequest(f"{where}: id {shown(given)} does not match the callback's pattern")
    for key, pattern in id_spec.items():
        value = given[key]
        if isinstance(pattern, list):  # a wildcard: any one component's value
            if not isinstance(value, str | int | float):
                raise BadCallbackRequest(f"{where}: id field {key!r} is {shown(value)}, not a value")
        elif value != pattern:
            raise BadCallbackRequest(f"{where}: id {shown(given)} does not match the callback's pattern")


def _check_one(item: Any, id_spec: str | dict, prop: str, where: str, values: bool) -> None:
    if not isinstance(item, Mapping):
        raise BadCallbackRequest(f"{where} must be an object with id and property, not {shown(item)}")
    if item.get("property") != prop:
        raise BadCallbackRequest(f"{where}: property {shown(item.get('property'))} is not the callback's {prop!r}")
    _check_id(item.get("id"), id_spec, where)
    if values and prop in VALUE_SHAPES:
        fits, expected = VALUE_SHAPES[prop]
        if not fits(item.get("value")):
            raise BadCallbackRequest(f"{where}: {prop} must be {expected}, not {shown(item.get('value'))}")


def _check_item(item: Any, id_spec: str | dict, prop: str, where: str, values: bool = True) -> None:
    if _is_multi(id_spec):
        if not isinstance(item, list):
            raise BadCallbackRequest(f"{where} must be a list (a pattern over several components)")
        for index, each in enumerate(item):
            _check_one(each, id_spec, prop, f"{where}[{index}]", values)
    else:
        _check_one(item, id_spec, prop, where, values)


def _list_of(body: Mapping, name: str, required: bool = True) -> list:
    if name not in body and not required:
        return []  # Dash reads a missing list as empty, but a null one as None
    value = body.get(name)
    if not isinstance(value, list):
        raise BadCallbackRequest(f"{name} must be a list, not {shown(value)}")
    return value


def _check_dependencies(body: Mapping, name: str, declared: list[dict]) -> None:
    given = _list_of(body, name, required=name == "inputs")
    if len(given) != len(declared):
        raise BadCallbackRequest(f"{name}: {len(given)} given, the callback takes {len(declared)}")
    for index, (item, spec) in enumerate(zip(given, declared, strict=True)):
        _check_item(item, _declared_id(str(spec.get("id", ""))), str(spec.get("property", "")), f"{name}[{index}]")


def _check_outputs(body: Mapping, output: str) -> None:
    declared = declared_outputs(output)
    given = body.get("outputs")
    if len(declared) == 1:
        _check_item(given, *declared[0], "outputs", values=False)
        return
    if not isinstance(given, list) or len(given) != len(declared):
        raise BadCallbackRequest(f"outputs must be a list of the callback's {len(declared)} outputs")
    for index, (item, (id_spec, prop)) in enumerate(zip(given, declared, strict=True)):
        _check_item(item, id_spec, prop, f"outputs[{index}]", values=False)


def check_callback_body(body: Any, callback_map: Mapping[str, dict]) -> None:
    """Raise :class:`BadCallbackRequest` unless ``body`` asks a server-side callback of
    ``callback_map`` with its own outputs, inputs and state, each value of the right shape."""
    if not isinstance(body, Mapping):
        raise BadCallbackRequest("the body must be a JSON object (Dash's callback request)")
    output = body.get("output")
    if not isinstance(output, str):
        raise BadCallbackRequest(f"output must be the callback's output key, not {shown(output)}")
    callback = callback_map.get(output)
    if callback is None:
        raise BadCallbackRequest(f"no callback has the output {shown(output)}")
    if "callback" not in callback:
        raise BadCallbackRequest(f"the callback of {shown(output)} runs in the browser, not on the server")
    _check_outputs(body, output)
    _check_dependencies(body, "inputs", callback.get("inputs") or [])
    _check_dependencies(body, "state", callback.get("state") or [])
    changed = _list_of(body, "changedPropIds", required=False)
    if not all(isinstance(prop_id, str) for prop_id in changed):
        raise BadCallbackRequest(f"changedPropIds must be a list of 'id.property' texts, not {shown(changed)}")
