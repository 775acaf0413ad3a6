#!/usr/bin/env bash
# Every published package, packed as npm would publish it: publint (package.json against the files)
# and @arethetypeswrong/cli (types and JS resolve alike under node10, node16 CJS/ESM and bundlers).
set -euo pipefail
cd "$(dirname "$0")/.."
# npm pack once hung here with no socket open (npm idle in epoll): nothing of npm's that talks to
# the network is needed to pack.
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
for p in protocol core browser react-native; do
  publint --strict "packages/$p"
  ignore=()
  # tally.global.js is a classic <script> (an IIFE with no exports) in a "type": "module" package:
  # attw calls a require() of it "ESM, dynamic import only", which is moot for a file nobody requires.
  [ "$p" = browser ] && ignore=(--ignore-rules cjs-resolves-to-esm)
  attw --pack "packages/$p" "${ignore[@]}"
done
