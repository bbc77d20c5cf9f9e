"""The action vocabulary and coordinate geometry: pure data, no I/O, imports nothing else of ours.

The public names are listed once, in each module's ``__all__``, and re-exported here.
"""

from . import actions, coords
from .actions import *  # noqa: F403 - the names are actions.__all__
from .coords import *  # noqa: F403 - the names are coords.__all__
from .errors import ModelError

__all__ = ["ModelError"]
__all__ += actions.__all__
__all__ += coords.__all__
