"""The error that goes back to the model.

``ModelError`` and its subclasses mean *the model made a mistake* (bad format, a point off the screen, an
unknown app, a key that does not exist). Their message is written for the model: the agent loop shows it
as the call's result and lets the model try again. Everything else (a device that vanished, a model
backend that crashed) is an infrastructure fault and stops the run; those errors live with the code that
raises them (``envs.base.EnvError``, the model backends' errors).
"""


class ModelError(Exception):
    """A mistake of the model's; ``str(error)`` is shown to the model as the result of its call."""
