#!/bin/sh
# Doppel's two database roles (docs/database-roles.md), made by the postgres image on its first
# start with an empty volume: doppel_owner owns the database and runs the migrations (the
# compose service migrate); doppel_app, which owns nothing, is what the worker, gateway and API
# connect as, so the append-only triggers bind them. Safe to run again:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-doppel-roles.sh
set -e
: "${DOPPEL_OWNER_PASSWORD:?set DOPPEL_OWNER_PASSWORD}" "${DOPPEL_APP_PASSWORD:?set DOPPEL_APP_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-doppel}" \
  -v owner_password="$DOPPEL_OWNER_PASSWORD" -v app_password="$DOPPEL_APP_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE doppel_owner LOGIN PASSWORD %L', :'owner_password')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'doppel_owner') \gexec
SELECT format('CREATE ROLE doppel_app LOGIN PASSWORD %L', :'app_password')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'doppel_app') \gexec
SELECT format('ALTER DATABASE %I OWNER TO doppel_owner', current_database()) \gexec
-- PostgreSQL 15 and later: public belongs to the database's owner, and nobody else may create in it.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
