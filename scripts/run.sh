#!/usr/bin/env bash
# Runs a command with Node >= 22 first on PATH: the npm scripts go through here so that
# `npm run dev` and `npm test` work on a machine whose node is older. The condition makes Node
# resolve the workspace packages (packages/*) to their TypeScript source, not to their build.
set -e
. "$(dirname "$0")/node-env.sh"
export NODE_OPTIONS="--conditions=@edge-status/source${NODE_OPTIONS:+ $NODE_OPTIONS}"
exec "$@"
