"""REST endpoints; they read only from sql.read (the database and its cache)."""

from api.health import health_bp
from api.system import system_bp

__all__ = ["health_bp", "system_bp"]
