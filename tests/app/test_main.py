"""`main.py` end to end, in its own process (the second synth, see tests/conftest.py): it
synthesizes every environment of its folder, says so, and warns about nothing for the shipped ones."""

from __future__ import annotations


def test_main_synthesizes_every_environment_and_reports_the_stacks(second_synth):
    result = second_synth.process
    stacks = sorted(p.name for p in (second_synth.outdir / "stacks").iterdir())
    assert "Traceback" not in result.stderr and "warning:" not in result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"Synthesized {len(stacks)} stacks into {second_synth.outdir}/: {', '.join(stacks)}"
