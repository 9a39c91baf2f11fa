"""The sample packs committed in docs/samples/ are what the code writes today (`python -m tools.make_samples`)."""

from __future__ import annotations

from pathlib import Path

from tools.make_samples import SAMPLES, write_samples


def test_the_committed_samples_are_current(tmp_path: Path) -> None:
    written = write_samples(tmp_path)
    assert {p.name for p in written} == {"public-pack.md", "public-pack.html", "pcc-pack.md", "pcc-pack.html",
                                         "revisit.md", "revisit.html"}
    for path in written:
        committed = SAMPLES / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run python -m tools.make_samples")
    public = (SAMPLES / "public-pack.md").read_text(encoding="utf-8")
    assert "internal words never published" not in public and "intranet" not in public
