#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for the app and its tests, then the npm packages.
#   - chromium: its SwiftShader Vulkan driver runs WebGPU without a GPU (Node tests, CLI on a
#     GPU-less machine) and it is the browser of the end-to-end tests;
#   - libvulkan1: the Vulkan loader that Dawn (the `webgpu` package) opens.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

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

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20.19 or newer is required (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

npm ci --no-audit --no-fund
