#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for the app and its tests, then the npm packages.
#   - Node.js: checked first, against package.json's engines.node (">=MAJOR.MINOR"), the one
#     place the minimum is written; the README says the same;
#   - chromium: its SwiftShader Vulkan driver runs WebGPU without a GPU (Node tests, CLI on a
#     GPU-less machine) and it is the browser of the end-to-end tests;
#   - libvulkan1: the Vulkan loader that Dawn (the `webgpu` package) opens.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node before anything is installed: a machine that cannot run the project should say so at once.
if ! command -v node >/dev/null; then
  echo "setup: Node.js is required (see engines.node in package.json) and none was found." >&2
  exit 1
fi
required=$(node -p 'require("./package.json").engines.node')
found=$(node -p 'process.versions.node')
if ! [[ "$required" =~ ^\>=([0-9]+)\.([0-9]+)$ ]]; then
  echo "setup: package.json engines.node is \"$required\"; this script reads only \">=MAJOR.MINOR\"." >&2
  exit 1
fi
need_major=${BASH_REMATCH[1]}
need_minor=${BASH_REMATCH[2]}
IFS=. read -r major minor _ <<<"$found"
if [ "$major" -lt "$need_major" ] || { [ "$major" -eq "$need_major" ] && [ "$minor" -lt "$need_minor" ]; }; then
  echo "setup: Node.js $need_major.$need_minor or newer is required (found $found)." >&2
  exit 1
fi

need=()
[ -f /usr/lib/chromium/vk_swiftshader_icd.json ] && command -v chromium >/dev/null || need+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || need+=(libvulkan1)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi

npm ci --no-audit --no-fund
