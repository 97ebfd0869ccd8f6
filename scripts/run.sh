#!/usr/bin/env bash
# Runs a command with Node >= 22 first on PATH: the npm scripts go through here so that
# `npm run dev` and `npm test` work on a machine whose node is older.
set -e
. "$(dirname "$0")/node-env.sh"
exec "$@"
