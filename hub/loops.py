"""Objects that belong to one event loop: one per server process (tests may run several loops)."""

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def one_per_loop(registry: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T]", make: Callable[[], T]) -> T:
    """The running loop's object in `registry`, made on first use."""
    loop = asyncio.get_running_loop()
    found = registry.get(loop)
    if found is None:
        found = registry[loop] = make()
    return found
