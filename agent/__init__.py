"""Prompt, parser, policy, loop, CLI and benchmark: the only package that knows the others."""
