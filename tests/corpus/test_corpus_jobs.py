"""How many worker processes a batch starts when --jobs is not given."""

from __future__ import annotations

from pathlib import Path

from aligner_gui.core.corpus.runner import default_jobs

GB = 1_000_000_000


def test_jobs_fit_the_cores_and_the_memory(tmp_path: Path) -> None:
    small = tmp_path / "small.pt"
    small.write_bytes(b"\0" * 1000)
    assert default_jobs(str(small), cores=4, available=64 * GB) == 4  # cores bound
    assert default_jobs(str(small), cores=4, available=1 * GB) == 1  # memory bound
    # A base-size bundle (~380 MB of weights) needs ~1.5 GB per worker.
    assert default_jobs("WAV2VEC2_ASR_BASE_960H", cores=16, available=6 * GB) == 3
    assert default_jobs("WAV2VEC2_ASR_LARGE_960H", cores=16, available=6 * GB) == 1
    assert default_jobs("demo", cores=1, available=64 * GB) == 1


def test_both_shipped_models_are_known_by_name_and_sized_by_their_files() -> None:
    import pytest

    from aligner_gui.core.base.errors import ModelError
    from aligner_gui.core.base.resources import resource_path
    from aligner_gui.core.corpus.runner import check_model_name
    from aligner_gui.core.corpus.worker import model_size_bytes

    for name, file in (("demo", "demo_phones.pt"), ("demo-letters", "demo_model.pt")):
        check_model_name(name)  # no error
        assert model_size_bytes(name) == resource_path(file).stat().st_size
    with pytest.raises(ModelError):
        check_model_name("demo-phonez")
