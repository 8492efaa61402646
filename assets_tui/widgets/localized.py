"""Key bindings in the language the app was started with."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from ..i18n import has, t


def _localized(binding: Binding) -> Binding:
    description = t(binding.description) if has(binding.description) else binding.description
    tooltip = t(binding.tooltip) if has(binding.tooltip) else binding.tooltip
    return replace(binding, description=description, tooltip=tooltip)


def localize_bindings(node: DOMNode) -> None:
    """Give ``node``'s bindings their words in the current language.

    ``BINDINGS`` are written with i18n keys (``"bind.edit"``) because they are read
    when the class is defined, before the language is known. Each instance holds its
    own copy of the binding map, so translating it touches no other instance.
    """
    table = node._bindings.key_to_bindings
    for key, bindings in list(table.items()):
        table[key] = [_localized(binding) for binding in bindings]
