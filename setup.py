"""Install the repository's top-level folders under one namespace, ``qwen2vl_agent.*``.

The folders ``tools/``, ``envs/``, ``model/`` and ``agent/`` sit at the repository root; installed, they
become ``qwen2vl_agent.tools`` and so on. No bare top-level ``tools``/``model``/``agent``/``envs``
package is ever installed. Everything else lives in pyproject.toml.

``find_packages`` silently skips a folder without ``__init__.py``, and an editable install hides the loss,
so the build refuses any folder of Python code that is not a package.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
TOP = ("tools", "envs", "model", "agent")
found = find_packages(where=str(HERE), include=[f"{t}*" for t in TOP])

code_dirs = {
    ".".join(py.parent.relative_to(HERE).parts)
    for top in TOP
    for py in (HERE / top).rglob("*.py")
    if "__pycache__" not in py.parts
}
if code_dirs - set(found):
    raise SystemExit(
        f"these folders hold Python code but have no __init__.py: {', '.join(sorted(code_dirs - set(found)))}"
    )

setup(
    packages=[f"qwen2vl_agent.{name}" for name in found],
    package_dir={f"qwen2vl_agent.{t}": t for t in TOP},
    package_data={
        "": [f"{d}*.{ext}" for d in ("", "**/") for ext in ("txt", "json", "jinja", "ttf", "png", "md", "toml")]
    },
)
