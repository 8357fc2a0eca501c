#!/usr/bin/env bash
# Runs a command with java, ffmpeg, ffprobe and chromium absent from PATH (CI's proof that `npm run test:unit` needs
# none of them). A PATH folder that holds none of them stays as it is; one that does is replaced by a folder of links
# to everything else in it.
set -euo pipefail
hidden=(java javac ffmpeg ffprobe chromium chromium-browser google-chrome)
shadow="$(mktemp -d)"
trap 'rm -rf "$shadow"' EXIT
IFS=: read -r -a dirs <<<"$PATH"
path=()
for i in "${!dirs[@]}"; do
  d="${dirs[$i]}"
  [ -d "$d" ] || continue
  holds=0
  for n in "${hidden[@]}"; do [ -e "$d/$n" ] && holds=1; done
  if [ "$holds" -eq 0 ]; then path+=("$d"); continue; fi
  mkdir "$shadow/$i"
  not=()
  for n in "${hidden[@]}"; do not+=(! -name "$n"); done
  find "$d" -mindepth 1 -maxdepth 1 "${not[@]}" -exec ln -s -t "$shadow/$i" {} +
  path+=("$shadow/$i")
done
PATH="$(IFS=:; echo "${path[*]}")" "$@"
