"""A model's status moves, named once (as Oscar's ``available_statuses``).

A model with a status workflow lists its moves as ``Move`` rows: the name a form posts, the
label of its button, the statuses it leaves from. The model's own transition methods check a
move against ``sources`` (so the services refuse what the table does not allow), and its
``available_moves(user)`` returns the moves that user may make now, by name, for the template
to loop over: no template repeats which status allows which button.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Move:
    """One status move. ``needs_form``: the move posts more than a button (its own form in the
    template, e.g. a verification's method and result); ``name`` may repeat where the label
    differs by the status it leaves from (approve, re-approve)."""

    name: str
    label: str
    sources: tuple[str, ...]
    needs_form: bool = False


def sources(moves: Iterable[Move], name: str) -> tuple[str, ...]:
    """Every status the move ``name`` may leave from."""
    return tuple(status for move in moves if move.name == name for status in move.sources)


def available(
    moves: Iterable[Move], status: str, allowed: Callable[[Move], bool] = lambda move: True
) -> dict[str, Move]:
    """The moves that leave from ``status`` and that ``allowed`` lets through, by name, in the
    order they are listed."""
    return {move.name: move for move in moves if status in move.sources and allowed(move)}
