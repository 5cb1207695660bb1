#!/bin/sh
# Renders the committed PNG icons from their SVG sources (needs rsvg-convert: apt-get install -y librsvg2-bin).
set -eu
cd "$(dirname "$0")"
for size in 16 32 192 256 512 1024; do rsvg-convert -w "$size" -h "$size" icon.svg -o "icon-$size.png"; done
rsvg-convert -w 16 -h 16 tray.svg -o tray-icon.png
rsvg-convert -w 32 -h 32 tray.svg -o tray-icon@2x.png
rsvg-convert -w 16 -h 16 trayTemplate.svg -o trayTemplate.png
rsvg-convert -w 32 -h 32 trayTemplate.svg -o trayTemplate@2x.png
