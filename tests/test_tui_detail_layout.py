"""One asset's page keeps Thai words whole. Thai has no spaces between words, so a value
wrapped in a narrow column is cut in the middle of a word: in an 80-column terminal each
field has a line of its own, and in a wide one two fields share a line only where both
values' words fit in half of it."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot

from assets_tui.app import make_app
from assets_tui.screens.asset_detail import AssetDetailScreen
from models.schema import Asset
from tests.test_tui import log_in, settle, type_text


def screen_lines(asset_no: str, url: str, size: tuple[int, int]) -> list[str]:
    """The lines of the terminal with the asset's page open, as the storekeeper sees them."""
    app = make_app(url, "th")
    lines: list[str] = []

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await log_in(pilot, "storekeeper", "demo")
            await open_asset(pilot, asset_no)
            lines.extend(strip.text for strip in app.screen._compositor.render_strips())

    asyncio.run(main())
    return lines


async def open_asset(pilot: Pilot, asset_no: str) -> None:
    await type_text(pilot, asset_no)
    await pilot.press("enter")
    await settle(pilot, 0.2)
    assert isinstance(pilot.app.screen, AssetDetailScreen)
    assert pilot.app.screen.asset is not None and pilot.app.screen.asset.asset_no == asset_no


def on_one_line(word: str, lines: list[str]) -> bool:
    return any(word in line for line in lines)


def test_thai_values_keep_their_words_whole_at_80_columns(demo_url):
    asset = Asset.get(Asset.asset_no == "416-63-0001")
    words = [*asset.location.name.split(), *asset.department.name.split(),
             *asset.acquisition_method.split(), *asset.custodian.name.split()]
    assert {"อาคารกองสวัสดิการสังคม", "กองสวัสดิการสังคม", "วิธีเฉพาะเจาะจง"} <= set(words)

    lines = screen_lines("416-63-0001", demo_url, (80, 24))
    assert [word for word in words if not on_one_line(word, lines)] == [], "\n".join(lines)


def test_a_wide_terminal_pairs_fields_only_where_their_words_fit(demo_url):
    asset = Asset.get(Asset.asset_no == "423-62-0001")
    longest = "ศูนย์พัฒนาคุณภาพชีวิตผู้สูงอายุเทศบาลนครแม่สอด"
    assert asset.location.name == longest  # wider than half of a 120-column line

    lines = screen_lines("423-62-0001", demo_url, (120, 40))
    assert on_one_line(longest, lines), "\n".join(lines)
    # the department shares no line with the location, but the number and category do
    [department] = [line for line in lines if asset.department.name in line]
    assert longest not in department
    assert on_one_line(f"{asset.category.code} วิทยาศาสตร์และการแพทย์", lines)
    assert any("423-62-0001" in line and "วิทยาศาสตร์และการแพทย์" in line for line in lines)
