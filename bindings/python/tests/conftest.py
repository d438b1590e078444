"""Shared fixtures: the repository's test vectors and key files written from them."""
import json
import os
import pathlib

import pytest

import samkoer

VECTORS = pathlib.Path(__file__).resolve().parents[3] / "tests" / "vectors"


def vectors(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def key_file(tmp_path: pathlib.Path, kind: str) -> pathlib.Path:
    """A key file of the given kind from key_files.json, written owner-only."""
    case = next(c for c in vectors("key_files.json")["cases"] if c["kind"] == kind and "expect" not in c)
    path = tmp_path / f"{kind}.key"
    path.write_text(case["text"], encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def matcher_key(tmp_path: pathlib.Path) -> pathlib.Path:
    """A matcher key for the central steps (it signs their audit entries), made by keygen."""
    path = tmp_path / "matcher.key"
    if not path.exists():
        samkoer.keygen.matcher("219", path)
    return path


@pytest.fixture
def run_key_path(tmp_path):
    return key_file(tmp_path, "run")


@pytest.fixture
def sealing_key_path(tmp_path):
    return key_file(tmp_path, "sealing")
