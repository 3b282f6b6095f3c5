"""The Dockerfile, read without a container runtime: stages, user, inputs and entry point."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def read_instructions(path: Path) -> list[Instruction]:
    """Split a Dockerfile into instructions, joining backslash continuations, without comments."""
    instructions: list[Instruction] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        pending += " " + stripped.removesuffix("\\").strip()
        if stripped.endswith("\\"):
            continue
        keyword, _, arguments = pending.strip().partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return read_instructions(DOCKERFILE)


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    return stages(instructions)[-1]


def test_build_has_separate_stages(instructions: list[Instruction]) -> None:
    froms = [item.arguments for item in instructions if item.keyword == "FROM"]

    assert len(froms) == 2
    assert froms[0].endswith(" AS build")
    assert froms[1].endswith(" AS runtime")
    runtime_copies = [
        item.arguments for item in final_stage(instructions) if item.keyword == "COPY"
    ]
    assert runtime_copies == ["--from=build --chown=root:root /opt/badgehub /opt/badgehub"]


def test_runs_as_numeric_non_root_user(instructions: list[Instruction]) -> None:
    users = [item.arguments for item in final_stage(instructions) if item.keyword == "USER"]

    assert len(users) == 1
    user, _, group = users[0].partition(":")
    assert user.isdigit()
    assert int(user) >= 10000
    assert group.isdigit()
    assert int(group) >= 10000
    chart_values = yaml.safe_load((REPO / "helm" / "values.yaml").read_text())
    assert chart_values["podSecurityContext"]["runAsUser"] == int(user)
    assert chart_values["podSecurityContext"]["runAsGroup"] == int(group)


def test_takes_no_remote_or_unpinned_input(instructions: list[Instruction]) -> None:
    keywords = {item.keyword for item in instructions}
    images = {item.arguments.split()[0] for item in instructions if item.keyword == "FROM"}
    copied_images = re.findall(r"--from=(\S+)", " ".join(i.arguments for i in instructions))

    assert "ADD" not in keywords
    # Both stages start from the ARG's default, which names a tag.
    assert images == {"${PYTHON_IMAGE}"}
    assert "ghcr.io/astral-sh/uv:0.13.8" in copied_images
    assert "UV_VERSION=0.13.8" in (REPO / "dev.sh").read_text()


def test_installs_from_the_lock_file_without_dev_tools(instructions: list[Instruction]) -> None:
    syncs = [item.arguments for item in instructions if "uv sync" in item.arguments]

    assert len(syncs) == 2
    for command in syncs:
        assert "--frozen" in command
        assert "--no-dev" in command
    assert "--no-editable" in syncs[1]


def test_copies_every_packaged_folder(instructions: list[Instruction]) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = {item.arguments.split()[0] for item in instructions if item.keyword == "COPY"}
    ignored = (REPO / ".dockerignore").read_text().splitlines()

    for package in packages:
        assert package in copied, package
        assert f"!{package}/" in ignored, package
    assert {"pyproject.toml", "uv.lock", "README.md"} <= set(
        shlex.split(next(i.arguments for i in instructions if "uv.lock" in i.arguments))
    )


def test_python_matches_the_project(instructions: list[Instruction]) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    argument = next(item.arguments for item in instructions if item.keyword == "ARG")

    assert project["project"]["requires-python"] == ">=3.11,<3.12"
    assert argument.startswith("PYTHON_IMAGE=python:3.11-")


def test_writes_only_under_tmp(instructions: list[Instruction]) -> None:
    environment = " ".join(
        item.arguments for item in final_stage(instructions) if item.keyword == "ENV"
    )
    variables = dict(re.findall(r"(\w+)=(\S+)", environment))
    workdir = [item.arguments for item in final_stage(instructions) if item.keyword == "WORKDIR"]

    assert variables["PYTHONDONTWRITEBYTECODE"] == "1"
    assert variables["HOME"] == "/tmp"
    assert variables["XDG_CACHE_HOME"].startswith("/tmp/")
    assert variables["HUB_DATA_DIR"].startswith("/tmp/")
    assert workdir == ["/tmp"]


def test_one_image_serves_web_and_worker(instructions: list[Instruction]) -> None:
    last = final_stage(instructions)
    entrypoint = [json.loads(item.arguments) for item in last if item.keyword == "ENTRYPOINT"]
    command = [json.loads(item.arguments) for item in last if item.keyword == "CMD"]
    project = tomllib.loads((REPO / "pyproject.toml").read_text())

    assert entrypoint == [["badgehub"]]
    assert command == [["serve"]]
    assert project["project"]["scripts"]["badgehub"] == "hub.cli:main"
