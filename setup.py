"""Install the repository's top-level folders under one namespace, ``qwen2vl_agent.*``.

The folders ``tools/``, ``envs/``, ``model/`` and ``agent/`` sit at the repository root; installed, they
become ``qwen2vl_agent.tools`` and so on. No bare top-level ``tools``/``model``/``agent``/``envs``
package is ever installed. Everything else lives in pyproject.toml.
"""

from setuptools import find_packages, setup

TOP = ("tools", "envs", "model", "agent")
found = find_packages(include=[f"{t}*" for t in TOP])

setup(
    packages=[f"qwen2vl_agent.{name}" for name in found],
    package_dir={f"qwen2vl_agent.{t}": t for t in TOP},
    package_data={"": [f"{d}*.{ext}" for d in ("", "**/") for ext in ("txt", "json", "jinja", "ttf", "png", "md")]},
)
