"""Settings: defaults, accepted database URLs, and one clear line for each malformed setting."""

import pytest

from bot.config import ConfigError, load_settings


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_BASE_URL", "DATABASE_URL", "DEFAULT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.telegram_base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert settings.database_url == "sqlite+aiosqlite:///spoorzoeker.db"
    assert settings.default_timezone == "Europe/Amsterdam"


def test_env_file_is_read(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=0:fake.token.for.the.config.test\n")
    assert load_settings().telegram_bot_token == "0:fake.token.for.the.config.test"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u:p@db/spoor", "postgresql+asyncpg://u:p@db/spoor"),
        ("postgresql+psycopg2://u:p@db/spoor", "postgresql+asyncpg://u:p@db/spoor"),
        ("postgresql+asyncpg://u:p@db:5433/spoor", "postgresql+asyncpg://u:p@db:5433/spoor"),
        ("postgres://u@db/spoor", "postgresql+asyncpg://u@db/spoor"),
    ],
)
def test_database_urls(url, expected):
    assert load_settings(database_url=url).database_url == expected


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"database_url": "mysql://x/y"}, "DATABASE_URL"),
        ({"database_url": "not a url"}, "DATABASE_URL"),
        ({"database_url": "postgresql:///nohost"}, "host"),
        ({"telegram_bot_token": "hello"}, "TELEGRAM_BOT_TOKEN"),
        ({"telegram_base_url": "https://example.org/api"}, "TELEGRAM_BASE_URL"),
        ({"default_timezone": "Europe/Atlantis"}, "DEFAULT_TIMEZONE"),
    ],
)
def test_malformed_settings_give_one_clear_line(override, fragment):
    with pytest.raises(ConfigError) as caught:
        load_settings(**override)
    message = str(caught.value)
    assert fragment in message and "\n" not in message
