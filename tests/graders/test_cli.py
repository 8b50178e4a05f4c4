"""python -m graders solve | grade | bench, as instructors and scripts use it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from graders.variants import ARTICLE_SPEC


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graders", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_solve_a_template_prints_the_spec_and_every_quantity():
    out = run("solve", "--template", "article", "--json")
    data = json.loads(out.stdout)
    assert data["spec"] == ARTICLE_SPEC
    assert data["quantities"]["net_h1"] == pytest.approx(0.325)


def test_solve_reads_a_spec_file(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(ARTICLE_SPEC))
    data = json.loads(run("solve", "--spec", str(path), "--json").stdout)
    assert data["quantities"]["E_total"] == pytest.approx(0.036114, abs=1e-6)


def test_solve_reads_json_lines_from_stdin_and_answers_in_order():
    other = dict(ARTICLE_SPEC, inputs=[0.3, 0.4])
    lines = json.dumps(ARTICLE_SPEC) + "\n" + json.dumps(other) + "\n"
    out = run("solve", "--spec", "-", stdin=lines).stdout.splitlines()
    assert len(out) == 2
    assert json.loads(out[0])["spec"]["inputs"] == [0.1, 0.2]
    assert json.loads(out[1])["spec"]["inputs"] == [0.3, 0.4]


def test_grade_prints_the_report(tmp_path):
    (tmp_path / "spec.json").write_text(json.dumps(ARTICLE_SPEC))
    (tmp_path / "answers.json").write_text(json.dumps({"net_h1": "0.325", "out_h1": "０．６"}))
    out = run("grade", "--spec", str(tmp_path / "spec.json"), "--answers",
              str(tmp_path / "answers.json"), "--json")
    report = json.loads(out.stdout)
    assert report["parts"]["net_h1"]["status"] == "correct"
    assert report["parts"]["out_h1"]["status"] == "incorrect"
    assert 0 < report["score"] < 1


def test_bad_input_is_one_clear_line_and_exit_code_2(tmp_path):
    (tmp_path / "bad.json").write_text('{"layers": [2]}')
    out = run("solve", "--spec", str(tmp_path / "bad.json"))
    assert out.returncode == 2
    assert out.stderr.startswith("error: layers")


def test_bench_prints_its_figures():
    out = run("bench", "--repeat", "50")
    assert out.returncode == 0
    assert "article" in out.stdout and "4-8-8-3" in out.stdout and "µs" in out.stdout
