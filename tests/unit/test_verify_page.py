"""Which badge images the public verification page shows."""

from __future__ import annotations

import pytest

from hub.verify_page import displayable_image

BASE = "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://badges.example.org/robot.png", True),
        (f"{BASE}/tenants/uphf/achievements/cap-campus/image.svg", True),
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ("http://badges.example.org/robot.png", False),
        ("javascript:alert(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        (f"{BASE}.evil.example/image.png", False),
        (None, False),
    ],
)
def test_displayable_image(url: str | None, shown: bool) -> None:
    assert (displayable_image(url, BASE) is not None) is shown
