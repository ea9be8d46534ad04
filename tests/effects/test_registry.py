"""effects.registry: built-in and user folders, unique ids, lookups and stacks by id."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from spec_helpers import HEADER, WARP_OP, fake_ops, make_effect  # noqa: F401

from effects.registry import DuplicateEffectError, EffectRegistry, UnknownEffectError
from effects.spec import EffectSpecError

pytestmark = pytest.mark.usefixtures("fake_ops")


def _effect(folder: Path, effect_id: str) -> Path:
    return make_effect(folder, WARP_OP, header=HEADER.replace('id = "demo"', f'id = "{effect_id}"'))


@pytest.fixture()
def builtin(tmp_path: Path) -> Path:
    root = tmp_path / "builtin"
    _effect(root / "alpha", "alpha")
    _effect(root / "beta", "beta")
    (root / "make_art.py").write_text("# not an effect\n")
    (root / "notes").mkdir()  # a folder without effect.toml is not an effect
    return root


def test_loads_builtin_effects_sorted_by_id(builtin: Path) -> None:
    reg = EffectRegistry(builtin)
    assert reg.ids == ("alpha", "beta")
    assert len(reg) == 2 and "alpha" in reg and "gamma" not in reg
    assert [s.id for s in reg] == ["alpha", "beta"]
    assert reg.get("beta").source == builtin / "beta"
    assert reg.is_builtin("alpha")


def test_user_folders_add_effects_and_zips(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    _effect(user / "gamma", "gamma")
    single = _effect(tmp_path / "single", "delta")  # a folder that is itself one effect
    src = _effect(tmp_path / "zipsrc", "zeta")
    with zipfile.ZipFile(user / "zeta.zip", "w") as zf:
        for p in src.iterdir():
            zf.write(p, p.name)
    reg = EffectRegistry(builtin, [user, single])
    assert reg.ids == ("alpha", "beta", "delta", "gamma", "zeta")
    assert not reg.is_builtin("gamma")
    assert reg.get("zeta").source == user / "zeta.zip"


def test_duplicate_id_names_both_places(builtin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    _effect(user / "my_alpha", "alpha")
    with pytest.raises(DuplicateEffectError) as info:
        EffectRegistry(builtin, [user])
    assert str(info.value) == f'{user / "my_alpha"}: duplicate effect id "alpha": already loaded from {builtin / "alpha"}'


def test_unknown_id_lists_known_ids(builtin: Path) -> None:
    reg = EffectRegistry(builtin)
    with pytest.raises(UnknownEffectError) as info:
        reg.get("gama")
    assert str(info.value) == 'unknown effect "gama"; expected one of alpha, beta'


def test_resolve_keeps_the_order_given(builtin: Path) -> None:
    reg = EffectRegistry(builtin)
    assert [s.id for s in reg.resolve("beta, alpha")] == ["beta", "alpha"]
    assert [s.id for s in reg.resolve(["alpha"])] == ["alpha"]


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ("alpha,alpha", "effect \"alpha\" is listed twice in 'alpha,alpha'"),
        ("alpha,", "expected comma-separated effect ids, found 'alpha,'"),
        ("alpha,nope", 'unknown effect "nope"; expected one of alpha, beta'),
    ],
)
def test_resolve_errors(builtin: Path, ids: str, message: str) -> None:
    with pytest.raises(UnknownEffectError) as info:
        EffectRegistry(builtin).resolve(ids)
    assert str(info.value) == message


def test_a_bad_effect_raises_by_default(builtin: Path) -> None:
    (builtin / "beta" / "effect.toml").write_text('id = "beta"\n', encoding="utf-8")
    with pytest.raises(EffectSpecError) as info:
        EffectRegistry(builtin)
    assert str(info.value).startswith(f"{builtin / 'beta' / 'effect.toml'}: ")


def test_non_strict_keeps_the_errors(builtin: Path) -> None:
    (builtin / "beta" / "effect.toml").write_text('id = "beta"\n', encoding="utf-8")
    reg = EffectRegistry(builtin, strict=False)
    assert reg.ids == ("alpha",)
    assert len(reg.errors) == 1 and reg.errors[0].file == str(builtin / "beta" / "effect.toml")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(EffectSpecError) as info:
        EffectRegistry(tmp_path / "nope")
    assert str(info.value) == f"{tmp_path / 'nope'}: expected a folder of effects, found no such folder"
