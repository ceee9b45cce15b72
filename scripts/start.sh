#!/bin/sh
# `npm start [-- all|web|worker]`: the bot as one process, with the node flags of its mode
# (src/shared/heap.ts NODE_FLAGS; the Dockerfile and compose.yaml start it with the same). The
# built code under NODE_ENV=production, the TypeScript sources otherwise.
mode="${1:-${BOT_MODE:-all}}"
case "$mode" in
  web) flags="" ;;
  *) flags="--max-semi-space-size=8" ;;
esac
if [ "$NODE_ENV" = production ]; then
  exec node $flags dist/src/main.js "$@"
fi
exec node $flags --import tsx src/main.ts "$@"
