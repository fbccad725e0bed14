"""Extension points, declared in one place: traces, readers and output writers.

sockscope registers its own built-ins through the same registries that other packages
extend, the way datasette registers its built-ins through the hooks it offers plugins.
A package adds a behaviour, a source format or an output file by declaring an entry
point in its ``pyproject.toml``::

    [project.entry-points."sockscope.traces"]
    co-media = "my_package.traces:CO_MEDIA"       # a sockscope.detect.traces.base.Trace

    [project.entry-points."sockscope.readers"]
    my-format = "my_package.reader:READER"        # a sockscope.ingest.formats.Reader

    [project.entry-points."sockscope.writers"]
    edges-jsonl = "my_package.writer:write"       # callable(detection, out, context)

Entry points are loaded on first use of a registry. A plugin may not replace a
built-in (the name is refused with an error naming the plugin), so results produced
under a given name always mean the same thing.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from sockscope.errors import SockscopeError

T = TypeVar("T")


class Registry(Generic[T]):
    """Named extensions of one kind, built-ins first, then entry points of ``group``."""

    def __init__(self, group: str, kind: str, *builtins: str) -> None:
        self.group = group
        self.kind = kind
        self._builtins = builtins
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, name: str, item: T) -> None:
        if name in self._items:
            raise SockscopeError(f"{self.kind} {name!r} is already registered")
        self._items[name] = item

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for where in self._builtins:  # "module:attribute", a list of (name, item)
            module, _, attribute = where.partition(":")
            for name, item in getattr(import_module(module), attribute):
                self.register(name, item)
        for entry in sorted(entry_points(group=self.group), key=lambda e: e.name):
            try:
                item = entry.load()
            except Exception as exc:  # a broken plugin names itself, never a traceback
                raise SockscopeError(f"plugin {entry.value!r} ({self.group}) failed to load: "
                                     f"{exc}") from exc
            if entry.name in self._items:
                raise SockscopeError(f"plugin {entry.value!r} ({self.group}) may not replace "
                                     f"the built-in {self.kind} {entry.name!r}")
            self._items[entry.name] = item

    def reload(self) -> None:
        """Forget everything and load built-ins and entry points again (tests, notebooks
        that installed a plugin after import)."""
        self._items.clear()
        self._loaded = False

    def __getitem__(self, name: str) -> T:
        self._load()
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        self._load()
        return iter(list(self._items))

    def __len__(self) -> int:
        self._load()
        return len(self._items)

    def names(self) -> list[str]:
        self._load()
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        self._load()
        return list(self._items.items())

    def unknown(self, names: list[str]) -> str | None:
        """An error message for names that are not registered, or None."""
        missing = [n for n in names if n not in self]
        if not missing:
            return None
        return (f"unknown {self.kind}{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(n) for n in missing)}; choose from {', '.join(self.names())}")


# The built-ins are named, as entry points name a plugin's objects, and imported on first
# use: the registries sit on the ground floor, below the stages that register into them
# and use them (datasette names its default plugins the same way).
TRACES: Registry = Registry("sockscope.traces", "trace", "sockscope.detect.traces:BUILTIN")
READERS: Registry = Registry("sockscope.readers", "format", "sockscope.ingest.formats:BUILTIN")
WRITERS: Registry = Registry("sockscope.writers", "writer", "sockscope.output.files:BUILTIN",
                             "sockscope.report:BUILTIN")
