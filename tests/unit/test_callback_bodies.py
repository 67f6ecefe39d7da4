"""The shape of a Dash callback request, checked before Dash runs it (api/callback_bodies.py)."""

from __future__ import annotations

import pytest

from api.callback_bodies import BadCallbackRequest, check_callback_body, declared_outputs

ALL_OUTPUT = '{"index":["ALL"],"type":"cell"}.children'
CALLBACKS = {
    "status.children": {"callback": object(), "inputs": [{"id": "url", "property": "pathname"}], "state": []},
    "..a.children...b.style..": {
        "callback": object(),
        "inputs": [{"id": '{"index":["ALL"],"type":"box"}', "property": "value"}],
        "state": [{"id": "store", "property": "data"}],
    },
    ALL_OUTPUT: {"callback": object(), "inputs": [{"id": "go", "property": "n_clicks"}], "state": []},
    "browser.children": {"inputs": [{"id": "go", "property": "n_clicks"}], "state": []},
}


def status(pathname="/rates", **changes) -> dict:
    body = {
        "output": "status.children",
        "outputs": {"id": "status", "property": "children"},
        "inputs": [{"id": "url", "property": "pathname", "value": pathname}],
        "changedPropIds": ["url.pathname"],
    }
    return {**body, **changes}


def multi(boxes) -> dict:
    return {
        "output": "..a.children...b.style..",
        "outputs": [{"id": "a", "property": "children"}, {"id": "b", "property": "style"}],
        "inputs": [boxes],
        "state": [{"id": "store", "property": "data", "value": {"any": ["json", 1]}}],
    }


def box(index, value="x") -> dict:
    return {"id": {"index": index, "type": "box"}, "property": "value", "value": value}


def test_declared_outputs_read_single_multi_and_pattern_keys():
    assert declared_outputs("status.children") == [("status", "children")]
    assert declared_outputs("..a.children...b.style..") == [("a", "children"), ("b", "style")]
    assert declared_outputs(ALL_OUTPUT) == [({"index": ["ALL"], "type": "cell"}, "children")]


def test_well_formed_requests_pass():
    check_callback_body(status(), CALLBACKS)
    check_callback_body(multi([box(1), box(2, ["k", 3])]), CALLBACKS)
    check_callback_body(multi([]), CALLBACKS)  # an ALL pattern that matches no component today
    check_callback_body(
        {
            "output": ALL_OUTPUT,
            "outputs": [{"id": {"index": i, "type": "cell"}, "property": "children"} for i in (1, 2)],
            "inputs": [{"id": "go", "property": "n_clicks", "value": 2}],
        },
        CALLBACKS,
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (None, "JSON object"),
        ({"output": ["status.children"]}, "output must be"),
        (status(output="nope.children"), "no callback has the output"),
        ({**status(), "output": "browser.children"}, "runs in the browser"),
        (status(outputs=[{"id": "status", "property": "children"}]), "outputs must be an object"),
        (status(inputs=[]), "inputs: 0 given, the callback takes 1"),
        (status(state=None), "state must be a list"),
        (status(changedPropIds=[1]), "changedPropIds"),
        (status(pathname="rates"), "pathname must be a path"),
        (status(pathname="/a\r\nb"), "pathname must be a path"),
        (multi(box(1)), "must be a list"),
        (multi([box(True), {"id": {"index": 1}, "property": "value"}]), "does not match the callback's pattern"),
        (multi([{**box(1), "id": {"index": None, "type": "box"}}]), "not a value"),
        (multi([box(1, 5)]), "value must be text or a list of keys"),
        (multi([box(1, [{"a": 1}])]), "value must be text or a list of keys"),
    ],
)
def test_malformed_requests_name_what_is_wrong(body, reason):
    with pytest.raises(BadCallbackRequest, match=reason):
        check_callback_body(body, CALLBACKS)


def test_a_message_repeats_at_most_a_hundred_characters_of_a_value():
    with pytest.raises(BadCallbackRequest) as caught:
        check_callback_body(status(output="x" * 100_000), CALLBACKS)
    assert len(str(caught.value)) < 200 and str(caught.value).endswith("…")
