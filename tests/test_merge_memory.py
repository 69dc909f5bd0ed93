"""Merge streams: peak memory stays flat as bundles grow."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from fieldkit.merge import MergeOptions, merge_bundles, register_device
from tests.merge_fixtures import MERGE_KEY, MERGING, inflated_bundle, make_project, tiny_bundle


def peak_of_merge(bundle: Path, store: str) -> int:
    tracemalloc.start()
    try:
        report = merge_bundles(
            [bundle], store, make_project(), MergeOptions(merge_key=MERGE_KEY, batch_interviews=40)
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.ok, report.to_dict()
    return peak


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_bundle(tmp_path: Path) -> None:
    laptop, source = tiny_bundle(tmp_path)
    peaks = []
    for copies in (100, 400):
        bundle = inflated_bundle(source, laptop.key, copies, tmp_path / f"{copies}.fkb", copies)
        store = str(tmp_path / f"hq-{copies}.sqlite")
        register_device(store, laptop.key.public)
        merge_bundles([tmp_path / "nothing.fkb"], store, make_project(), MERGING)  # warm caches
        peaks.append(peak_of_merge(bundle, store))
    small, big = peaks
    print(small, big)
    assert big < small * 1.5, (small, big)  # four times the rows, about the same peak
