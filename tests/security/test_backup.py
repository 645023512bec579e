"""Backups: pg_dump, then pg_restore into a fresh database, gives back the same patients, plans,
versions and histories (every table of the app, row for row)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from ..conftest import make_patient

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="backups are pg_dump/pg_restore: PostgreSQL only"
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]

APP_TABLE_PREFIXES = ("schedules_", "audit_", "accounts_", "auth_user")


def libpq_environment() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": settings["HOST"] or "localhost",
            "PGPORT": str(settings["PORT"] or 5432),
            "PGUSER": settings["USER"] or "",
            "PGPASSWORD": settings["PASSWORD"] or "",
        }
    )
    return env


def connect(database: str, *, autocommit: bool = False) -> psycopg.Connection:
    env = libpq_environment()
    return psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env["PGPASSWORD"],
        dbname=database,
        autocommit=autocommit,
    )


def fingerprint(database: str) -> dict[str, tuple[int, str]]:
    """Each app table's row count and a digest of all its rows."""
    with connect(database) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
            if name.startswith(APP_TABLE_PREFIXES)
        ]
        result = {}
        for table in tables:
            count, digest = db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            ).fetchone()  # type: ignore[misc]
            result[table] = (count, digest)
        return result


@pytest.fixture
def restored_database() -> Iterator[str]:
    name = f"restore_{uuid.uuid4().hex[:10]}"
    yield name
    with connect("postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_dump_restores_into_a_fresh_database_with_the_same_data(
    transactional_db: None, clinic: object, tmp_path: Path, restored_database: str
) -> None:
    from schedules.models import Clinic

    assert isinstance(clinic, Clinic)
    for number in range(5):
        patient = make_patient(clinic, f"B-{number}", given_name=f"Given{number}")
        patient.notes = "edited once"
        patient.save()  # a second version in the history
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "taper.dump"
    env = libpq_environment()
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], env=env, check=True)
    subprocess.run(["createdb", restored_database], env=env, check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_database}", str(dump)],
        env=env,
        check=True,
    )
    original, restored = fingerprint(source), fingerprint(restored_database)
    assert original["schedules_patient"][0] == 5
    assert original["schedules_historicalpatient"][0] == 10
    assert restored == original
