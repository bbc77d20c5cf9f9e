"""The two reference policies over the whole default suite: the oracle passes every instance, the random
policy (almost) none. Together they show that the checkers can be satisfied by doing the task through the
UI, and cannot be skipped or satisfied by chance."""

from __future__ import annotations

from qwen2vl_agent.agent import markers
from qwen2vl_agent.agent.bench import BenchRunner
from qwen2vl_agent.agent.trajectory import read_steps
from qwen2vl_agent.envs.tasks import TEMPLATES


def test_oracle_passes_every_instance_of_every_template(small_config):
    config = small_config(policy="oracle", combinations=2, seed=11, parallel=3)
    report = BenchRunner(config).run()
    assert len(report.records) == 2 * len(TEMPLATES) == report.ran
    failed = [(r.task, r.instance, r.status, r.reason, r.exception) for r in report.records if r.success != 1.0]
    assert not failed
    assert report.summary.overall.success_rate == 1.0
    for record in report.records:
        assert record.declared_done and record.exception is None
        assert 0 < record.steps <= record.max_steps
        steps = read_steps(config.out / record.trajectory)
        assert len(steps) == record.steps
        # the oracle's replies went through the parser and the env like a model's: calls were executed
        assert all(markers.FUNCTION in s.raw_text and not s.parse_error for s in steps)
        assert any(c.executed for s in steps for c in s.calls)


def test_random_policy_stays_near_zero(small_config):
    # Half the step budget keeps the test short; full-budget runs score 0% as well (see the README).
    config = small_config(policy="random", combinations=1, seed=3, parallel=3, max_steps_factor=0.5)
    report = BenchRunner(config).run()
    assert len(report.records) == len(TEMPLATES)
    assert report.summary.overall.success_rate <= 0.05
    assert all(r.exception is None for r in report.records)
    assert any(r.declared_done for r in report.records)  # it does claim success, and is not believed
