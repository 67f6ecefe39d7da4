"""Configuration: settings from the environment, the source catalog, theme tokens."""

from config.settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "load_settings"]
