"""The publishing workflow (.github/workflows/book.yml) keeps working.

GitHub retires action majors that run on old Node runtimes, so this checks that
the workflow uses the current majors on the supported runtime, caches pip
downloads, never cancels a deployment half way, checks pull requests (a strict
build and the tests that need no browser), keeps the execution reports of a
failed build, and runs Sphinx's link check on a schedule.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"

# The majors that run on Node 24 (checkout, setup-*, upload-artifact) and the current
# GitHub Pages actions.
REQUIRED = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/setup-node": 5,
    "actions/configure-pages": 5,
    "actions/upload-pages-artifact": 4,
    "actions/deploy-pages": 4,
    "actions/upload-artifact": 6,
}


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def triggers(flow: dict) -> dict:
    return flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as True


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(flow: dict) -> list[tuple[str, int]]:
    found = []
    for job in flow["jobs"].values():
        for step in steps(job):
            if "uses" in step:
                name, _, version = step["uses"].partition("@")
                match = re.fullmatch(r"v(\d+)(?:\.\d+)*", version)
                assert match, f"{step['uses']}: pin an action to a version tag"
                found.append((name, int(match.group(1))))
    return found


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def test_actions_are_on_their_current_majors():
    used = uses(workflow())
    for name, major in used:
        assert name in REQUIRED, f"{name} is not one of the actions this test knows"
        assert major >= REQUIRED[name], (
            f"{name}@v{major}: use v{REQUIRED[name]} or later"
        )
    assert {name for name, _ in used} == set(REQUIRED)


def test_node_22_or_later_and_pip_caching_wherever_python_is_set_up():
    flow = workflow()
    for job_name, job in flow["jobs"].items():
        for step in steps(job):
            name = step.get("uses", "").partition("@")[0]
            if name == "actions/setup-node":
                version = str(step["with"]["node-version"])
                version = (
                    flow["env"]["NODE_VERSION"]
                    if "env.NODE_VERSION" in version
                    else version
                )
                assert int(version.split(".")[0]) >= 22, f"{job_name}: Node {version}"
            if name == "actions/setup-python":
                assert step["with"]["cache"] == "pip", f"{job_name}: no pip cache"
                assert "requirements" in step["with"]["cache-dependency-path"]


def test_a_deployment_is_never_cancelled_half_way():
    jobs = workflow()["jobs"]
    deploy = jobs["deploy"]
    assert any(
        s.get("uses", "").startswith("actions/deploy-pages@") for s in steps(deploy)
    )
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert jobs["build"]["concurrency"]["cancel-in-progress"] is False
    assert (
        "concurrency" not in workflow()
        or workflow()["concurrency"].get("cancel-in-progress") is False
    )
    cancelling = [
        name
        for name, job in jobs.items()
        if job.get("concurrency", {}).get("cancel-in-progress")
    ]
    assert cancelling == ["pull-request"]


def test_pull_requests_build_strictly_and_run_the_tests_without_a_browser():
    flow = workflow()
    assert "pull_request" in triggers(flow)
    job = flow["jobs"]["pull-request"]
    assert "pull_request" in job["if"]
    script = runs(job)
    assert re.search(r"jupyter-book build \. -W -n --keep-going", script)
    assert re.search(r"pytest -m \"not browser\"", script)
    assert "make data" in script or "fetch-data" in script


def test_book_builds_execute_the_pages_side_by_side_first_as_make_book_does():
    makefile = (ROOT / "Makefile").read_text()
    book = makefile[makefile.index("\nbook:") :].split("\n\n")[0]
    assert book.index("tools/execute_book.py") < book.index("jupyter-book build")
    jobs = workflow()["jobs"]
    for name in ("pull-request", "build"):
        script = runs(jobs[name])
        assert "tools/execute_book.py" in script, name
        assert script.index("tools/execute_book.py") < script.index(
            "jupyter-book build . -W"
        ), name


def test_the_robustness_build_runs_on_pull_requests_and_its_list_is_kept():
    job = workflow()["jobs"]["pull-request"]
    tests = [s for s in steps(job) if "pytest" in s.get("run", "")]
    assert "not browser" in tests[0]["run"] and "robust" not in tests[0]["run"]
    assert tests[0]["env"]["RNNBOOK_ARTIFACTS"]
    paths = [(s, str(s.get("with", {}).get("path"))) for s in steps(job)]
    kept = [s for s, path in paths if "robust/moved.csv" in path]
    assert kept and kept[0]["if"] == "always()"


def test_the_execution_reports_of_a_failed_build_are_kept():
    jobs = workflow()["jobs"]
    for name in ("pull-request", "build"):
        uploads = [
            s
            for s in steps(jobs[name])
            if s.get("uses", "").startswith("actions/upload-artifact@")
        ]
        assert uploads and uploads[0]["if"] == "failure()", name
        assert "_build/html/reports" in uploads[0]["with"]["path"], name


def test_links_are_checked_on_a_schedule():
    flow = workflow()
    assert triggers(flow)["schedule"][0]["cron"]
    job = flow["jobs"]["linkcheck"]
    assert "schedule" in job["if"]
    assert "--builder linkcheck" in runs(job)


def test_main_builds_deploy_and_publish_the_notebooks_from_the_makefile_install():
    flow = workflow()
    assert triggers(flow)["push"]["branches"] == ["main"]
    build = flow["jobs"]["build"]
    script = runs(build)
    # the CPU torch, as `make book` does
    assert "make .venv/bin/.installed-test" in script
    assert "publish_notebooks.py" in script
    assert build["permissions"]["contents"] == "write"
    assert flow["jobs"]["deploy"]["needs"] == "build"
