"""Personal boards: a user's own pages of panels pinned from the built-in dashboards (the panel's
dashboard and panel ids only; the panels are drawn from config/dashboards/*.yaml by the pages).

Every function takes the id of the user asking. A board is read by its owner, and by any other
signed-in user once its owner shares it; only its owner changes it. Another user's private board
is "no such board" (NoSuchBoard, a 404), never a different answer; a change to someone else's
shared board is NotYourBoard (a 403)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, func, select, update

from sql.schema_boards import board_panels, boards
from sql.schema_users import users
from sql.users import as_utc

NAME_LENGTH = 64
MAX_BOARDS = 50  # per user
MAX_PANELS = 40  # per board
WIDTHS = (3, 4, 6, 8, 12)  # of a 12-column row: the choices a board offers
DEFAULT_WIDTH = 6


class BoardError(ValueError):
    """A board change that cannot be done: its message says why."""


class NoSuchBoard(BoardError):
    """The board does not exist, or is another user's and not shared."""


class NotYourBoard(BoardError):
    """A shared board of another user: it may be read, not changed."""


@dataclass(frozen=True)
class Pin:
    dashboard_id: str
    panel_id: str
    width: int


@dataclass(frozen=True)
class Board:
    id: int
    owner_id: int
    owner: str  # the owner's username
    name: str
    shared: bool
    created_at: datetime
    updated_at: datetime
    pins: tuple[Pin, ...] = ()

    def editable_by(self, user_id: int) -> bool:
        return self.owner_id == user_id


def _name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise BoardError(f"a board's name is 1 to {NAME_LENGTH} characters")
    return name


def _width(width: object) -> int:
    try:
        value = int(str(width))
    except ValueError:
        value = 0
    if value not in WIDTHS:
        raise BoardError(f"a panel's width is one of {', '.join(map(str, WIDTHS))} columns")
    return value


_COLUMNS = (*boards.c, users.c.username)


def _board(row) -> Board:
    return Board(
        row.id, row.owner_id, row.username, row.name, row.shared, as_utc(row.created_at), as_utc(row.updated_at)
    )


def _visible(conn: Connection, board_id: int, user_id: int) -> Board:
    row = conn.execute(
        select(*_COLUMNS).join(users, users.c.id == boards.c.owner_id).where(boards.c.id == board_id)
    ).first()
    if row is None or (row.owner_id != user_id and not row.shared):
        raise NoSuchBoard("no such board")
    return _board(row)


def _owned(conn: Connection, board_id: int, user_id: int) -> Board:
    found = _visible(conn, board_id, user_id)
    if not found.editable_by(user_id):
        raise NotYourBoard(f"{found.name!r} is {found.owner}'s board, shared to read: only its owner changes it")
    return found


def _touch(conn: Connection, board_id: int, **values) -> None:
    conn.execute(update(boards).where(boards.c.id == board_id).values(updated_at=datetime.now(UTC), **values))


def list_boards(engine: Engine, user_id: int) -> tuple[list[tuple[Board, int]], list[tuple[Board, int]]]:
    """(the user's boards, other users' shared boards), oldest first, each with its panel count."""
    count = (
        select(func.count()).select_from(board_panels).where(board_panels.c.board_id == boards.c.id).scalar_subquery()
    )
    stmt = select(*_COLUMNS, count.label("panels")).join(users, users.c.id == boards.c.owner_id)
    stmt = stmt.where((boards.c.owner_id == user_id) | boards.c.shared.is_(True))
    with engine.connect() as conn:
        rows = conn.execute(stmt.order_by(boards.c.created_at, boards.c.id)).all()
    found = [(_board(r), r.panels) for r in rows]
    return [f for f in found if f[0].owner_id == user_id], [f for f in found if f[0].owner_id != user_id]


def get_board(engine: Engine, board_id: int, user_id: int) -> Board:
    """Board ``board_id`` with its pins in order, if ``user_id`` may read it."""
    with engine.connect() as conn:
        found = _visible(conn, board_id, user_id)
        rows = conn.execute(
            select(board_panels)
            .where(board_panels.c.board_id == board_id)
            .order_by(board_panels.c.position, board_panels.c.dashboard_id, board_panels.c.panel_id)
        ).all()
    pins = tuple(Pin(r.dashboard_id, r.panel_id, r.width) for r in rows)
    return Board(**{**found.__dict__, "pins": pins})


def create_board(engine: Engine, owner_id: int, name: str) -> Board:
    name = _name(name)
    with engine.begin() as conn:
        held = conn.execute(select(func.count()).select_from(boards).where(boards.c.owner_id == owner_id)).scalar()
        if held >= MAX_BOARDS:
            raise BoardError(f"a user keeps at most {MAX_BOARDS} boards")
        now = datetime.now(UTC)
        new_id = conn.execute(
            boards.insert().values(owner_id=owner_id, name=name, shared=False, created_at=now, updated_at=now)
        ).inserted_primary_key[0]
        return _owned(conn, new_id, owner_id)


def rename_board(engine: Engine, board_id: int, user_id: int, name: str) -> None:
    name = _name(name)
    with engine.begin() as conn:
        _owned(conn, board_id, user_id)
        _touch(conn, board_id, name=name)


def share_board(engine: Engine, board_id: int, user_id: int, shared: bool) -> None:
    """Let every signed-in user read the board (``shared``), or only its owner."""
    with engine.begin() as conn:
        _owned(conn, board_id, user_id)
        _touch(conn, board_id, shared=bool(shared))


def delete_board(engine: Engine, board_id: int, user_id: int) -> None:
    with engine.begin() as conn:
        _owned(conn, board_id, user_id)
        # Panels first: SQLite enforces the cascade only with its foreign keys pragma on.
        conn.execute(delete(board_panels).where(board_panels.c.board_id == board_id))
        conn.execute(delete(boards).where(boards.c.id == board_id))


def _pinned(board_id: int, dashboard_id: str, panel_id: str):
    return (
        (board_panels.c.board_id == board_id)
        & (board_panels.c.dashboard_id == dashboard_id)
        & (board_panels.c.panel_id == panel_id)
    )


def pin_panel(
    engine: Engine, board_id: int, user_id: int, dashboard_id: str, panel_id: str, width: int = DEFAULT_WIDTH
) -> bool:
    """Add the panel at the end of the board (False: it was already there). The caller checks
    that the dashboards have the panel and that the user may see it."""
    width = _width(width)
    with engine.begin() as conn:
        _owned(conn, board_id, user_id)
        if conn.execute(select(func.count()).where(_pinned(board_id, dashboard_id, panel_id))).scalar():
            return False
        mine = board_panels.c.board_id == board_id
        count, last = conn.execute(select(func.count(), func.max(board_panels.c.position)).where(mine)).one()
        if count >= MAX_PANELS:
            raise BoardError(f"a board holds at most {MAX_PANELS} panels")
        conn.execute(
            board_panels.insert().values(
                board_id=board_id,
                dashboard_id=dashboard_id,
                panel_id=panel_id,
                position=0 if last is None else last + 1,
                width=width,
            )
        )
        _touch(conn, board_id)
    return True


def _change_pin(engine: Engine, board_id: int, user_id: int, dashboard_id: str, panel_id: str, **values) -> None:
    with engine.begin() as conn:
        _owned(conn, board_id, user_id)
        changed = conn.execute(update(board_panels).where(_pinned(board_id, dashboard_id, panel_id)).values(**values))
        if not changed.rowcount:
            raise BoardError("that panel is not on this board")
        _touch(conn, board_id)


def unpin_panel(engine: Engine, board_id: int, user_id: int, dashboard_id: str, panel_id: str) -> None:
    with engine.begin() as conn:
        _owned(conn, board_id, user_id)
        if not conn.execute(delete(board_panels).where(_pinned(board_id, dashboard_id, panel_id))).rowcount:
            raise BoardError("that panel is not on this board")
        _touch(conn, board_id)


def resize_panel(engine: Engine, board_id: int, user_id: int, dashboard_id: str, panel_id: str, width: object) -> None:
    _change_pin(engine, board_id, user_id, dashboard_id, panel_id, width=_width(width))


def move_panel(engine: Engine, board_id: int, user_id: int, dashboard_id: str, panel_id: str, step: int) -> None:
    """Move the panel ``step`` places (-1: up, 1: down); at either end it stays. Positions are
    renumbered 0.. in the board's order."""
    if step not in (-1, 1):
        raise BoardError("a panel moves one place up or down")
    with engine.begin() as conn:
        _owned(conn, board_id, user_id)
        rows = conn.execute(
            select(board_panels.c.dashboard_id, board_panels.c.panel_id)
            .where(board_panels.c.board_id == board_id)
            .order_by(board_panels.c.position, board_panels.c.dashboard_id, board_panels.c.panel_id)
        ).all()
        order = [(r.dashboard_id, r.panel_id) for r in rows]
        if (dashboard_id, panel_id) not in order:
            raise BoardError("that panel is not on this board")
        at = order.index((dashboard_id, panel_id))
        to = min(max(at + step, 0), len(order) - 1)
        order.insert(to, order.pop(at))
        for position, (dashboard, panel) in enumerate(order):
            conn.execute(update(board_panels).where(_pinned(board_id, dashboard, panel)).values(position=position))
        _touch(conn, board_id)
