"""The deployment files agree with each other: docker-compose.yml, the Dockerfile, CI and README.

Plain file checks; no database, no Docker.
"""

import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")
ALL_SERVICES = ("postgres", "redis", *APP_SERVICES)


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]


def argv(command):
    """A compose `command` as a list of words; `sh -c SCRIPT` is split into the script's words."""
    words = shlex.split(command) if isinstance(command, str) else [str(w) for w in command]
    if len(words) == 3 and words[0] in ("sh", "bash", "/bin/sh") and words[1] == "-c":
        return shlex.split(words[2])
    return words


def celery_app(words):
    for i, word in enumerate(words):
        if word in ("-A", "--app") and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--app="):
            return word.removeprefix("--app=")
    return None


def environment(service):
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def test_the_five_services_exist(services):
    assert set(ALL_SERVICES) <= set(services)


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_service_has_a_healthcheck(services, name):
    healthcheck = services[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable", False)
    assert healthcheck.get("test"), f"{name}'s healthcheck has no test"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_waits_for_healthy_postgres_and_redis(services, name):
    depends_on = services[name].get("depends_on")
    assert isinstance(depends_on, dict), f"{name} needs depends_on with conditions"
    for dependency in ("postgres", "redis"):
        assert depends_on.get(dependency, {}).get("condition") == "service_healthy", (
            f"{name} must wait for a healthy {dependency}"
        )


def test_web_runs_gunicorn(services):
    words = argv(services["web"]["command"])
    assert "gunicorn" in words
    assert "emenscr.wsgi:application" in words


def test_worker_runs_a_celery_worker(services):
    words = argv(services["worker"]["command"])
    assert words[0] == "celery"
    assert celery_app(words) == "emenscr"
    assert "worker" in words


def test_beat_runs_celery_beat(services):
    words = argv(services["beat"]["command"])
    assert words[0] == "celery"
    assert celery_app(words) == "emenscr"
    assert "beat" in words


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_env_points_at_the_compose_servers(services, name):
    env = environment(services[name])
    assert urlparse(env["DATABASE_URL"]).hostname == "postgres"
    assert urlparse(env["DATABASE_URL"]).scheme in ("postgres", "postgresql")
    assert urlparse(env["REDIS_URL"]).hostname == "redis"
    for key in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if key in env:
            assert urlparse(env[key]).hostname == "redis", key


def test_build_based_services_use_the_repository_dockerfile(services):
    built = {name: s["build"] for name, s in services.items() if "build" in s}
    assert set(APP_SERVICES) <= set(built)
    for name, build in built.items():
        if isinstance(build, str):
            build = {"context": build}
        dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
        assert dockerfile.resolve() == (ROOT / "Dockerfile").resolve(), name
        assert dockerfile.is_file(), name


def dockerfile_cmd():
    """The words of the Dockerfile's last CMD (exec or shell form)."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    commands = re.findall(r"^\s*CMD\s+(.+)$", text, flags=re.MULTILINE | re.IGNORECASE)
    assert commands, "the Dockerfile has no CMD"
    cmd = commands[-1].strip()
    return json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)


def test_dockerfile_cmd_runs_gunicorn():
    words = dockerfile_cmd()
    assert words[0] == "gunicorn"
    assert "emenscr.wsgi:application" in words


def test_ci_runs_the_quick_start_test_script():
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK), ".ci/run must be executable"
    lines = [
        line.strip()
        for line in ci.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines[-1].split()[:3] == ["exec", "bash", "scripts/test.sh"]


@pytest.mark.parametrize(
    "script",
    ["scripts/demo.sh", "scripts/test.sh", "scripts/services.sh", "scripts/venv.sh", ".ci/run"],
)
def test_script_is_valid_bash(script):
    result = subprocess.run(
        ["bash", "-n", str(ROOT / script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


FENCE = re.compile(r"\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"\s{0,3}(#{1,6})\s+(.*)")


def markdown_lines(markdown):
    """Yield (line, fence, heading): the fence marker if the line opens or closes a fenced code
    block, the heading match if it is an ATX heading outside code blocks."""
    open_fence = None
    for line in markdown.splitlines():
        fence = FENCE.match(line)
        marker = fence.group(1) if fence else ""
        if fence and open_fence is None:
            open_fence = marker
            yield line, marker, None
        elif fence and marker[0] == open_fence[0] and len(marker) >= len(open_fence):
            open_fence = None
            yield line, marker, None
        else:
            yield line, None, None if open_fence else HEADING.match(line)


def quick_start_section(markdown):
    """The lines under the first heading containing "Quick start", up to the next heading of
    the same or a higher level; None without such a heading."""
    section, level = None, 0
    for line, _fence, heading in markdown_lines(markdown):
        if section is None:
            if heading and "quick start" in heading.group(2).lower():
                section, level = [], len(heading.group(1))
        elif heading and len(heading.group(1)) <= level:
            break
        else:
            section.append(line)
    return section


def fenced_blocks(section):
    """The contents (lists of lines) of the fenced code blocks in a section."""
    blocks, current = [], None
    for line, fence, _heading in markdown_lines("\n".join(section)):
        if fence and current is None:
            current = []
        elif fence:
            blocks.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_readme_quick_start_is_the_two_commands():
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not written yet")
    section = quick_start_section(readme.read_text(encoding="utf-8"))
    assert section is not None, 'README.md has no heading containing "Quick start"'
    blocks = fenced_blocks(section)
    assert len(blocks) == 1, "the Quick start section must hold exactly one code block"
    commands = [line.strip() for line in blocks[0] if line.strip()]
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    for command in commands:
        assert (ROOT / command.split()[1]).is_file()
