#!/bin/sh
# `npm start [-- all|web|worker]`: the bot as one process, with the node flags of its mode
# (src/shared/heap.ts NODE_FLAGS; the Dockerfile and compose.yaml start it with the same). The
# built code under NODE_ENV=production, the TypeScript sources otherwise. The mode is the argument,
# else BOT_MODE from the environment, else from ./.env (as the bot reads it: the environment wins).
env_mode=""
if [ -z "${1:-}" ] && [ -z "${BOT_MODE:-}" ] && [ -f .env ]; then
  env_mode=$(sed -n 's/^[[:space:]]*BOT_MODE[[:space:]]*=[[:space:]]*//p' .env | tail -n 1 | tr -d "\"' \r")
fi
mode="${1:-${BOT_MODE:-${env_mode:-all}}}"
case "$mode" in
  web) flags="" ;;
  *) flags="--max-semi-space-size=8" ;;
esac
if [ "$NODE_ENV" = production ]; then
  exec node $flags dist/src/main.js "$@"
fi
exec node $flags --import tsx src/main.ts "$@"
