#!/usr/bin/env bash
# Renders docs/img/dashboard.png: every panel of deploy/grafana/dashboards/vane.json with live
# data. Grafana is not packaged in Debian (and no registry here serves it), so the panels are drawn
# by Prometheus itself: a console template with Prometheus' graph widget per panel, captured by
# headless Chromium. (Debian's classic /graph page does not render: its packaged popper.js is an
# ES module that the page cannot load.)
#   mvn package -DskipTests && tools/dashboard-screenshot.sh [SECONDS_OF_TRAFFIC]
# Needs a JDK 22+ (tools/jdk.sh finds one), prometheus, chromium and python3. Loopback only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tools/jdk.sh"
traffic_seconds=${1:-150}
dist=$(ls -d "$root"/cli/target/vane-*/ 2>/dev/null | head -n 1)
[ -n "$dist" ] || { echo "no distribution under cli/target: run mvn package -DskipTests first" >&2; exit 1; }
for tool in prometheus chromium python3; do command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }; done
port=18480 admin_port=18481 prom_port=19490 token=dashboard-screenshot-token
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

(cd "$work" && exec "$dist/bin/vane" serve --port $port --admin-port $admin_port --admin-token $token >"$work/vane.log" 2>&1) &
pids+=($!)
cat >"$work/prometheus.yml" <<EOF
global: {scrape_interval: 2s, evaluation_interval: 2s}
rule_files: ["$root/deploy/prometheus/alerts.yml"]
scrape_configs:
  - job_name: vane
    static_configs: [{targets: ["127.0.0.1:$port"]}]
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=127.0.0.1:$prom_port \
  --web.console.templates="$work/consoles" --web.console.libraries="$work/console_libraries" >"$work/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$work/vane.log" >&2; exit 1; }

echo "traffic for $traffic_seconds s ..." >&2
python3 "$root/tools/dashboard-traffic.py" $port $admin_port $token "$traffic_seconds"
sleep 6 # two more scrapes after the last request

# the dashboard as a Prometheus console template: one PromConsole.Graph (Prometheus' own graph
# widget) per panel, with the panel's expressions and legends
mkdir -p "$work/consoles" "$work/console_libraries"
python3 - "$root/deploy/grafana/dashboards/vane.json" "$work/consoles/vane.html" $((traffic_seconds + 20)) <<'EOF'
import html, json, re, sys
dashboard, out, window = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
cells = []
for i, panel in enumerate(dashboard["panels"]):
    exprs = [t["expr"] for t in panel["targets"]]
    names = [re.sub(r"\{\{\s*(\w+)\s*\}\}", r"[[\1]]", t.get("legendFormat", "")) or None for t in panel["targets"]]
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "")
    cells.append(f'<div class="cell"><h2>{html.escape(panel["title"])}</h2><div id="p{i}"></div><script>'
                 f'new PromConsole.Graph({{node: document.getElementById("p{i}"), expr: {json.dumps(exprs)}, '
                 f'name: {json.dumps(names)}, yTitle: {json.dumps(unit)}, duration: {window}, endTime: Date.now() / 1000, '
                 f'width: 470, height: 190, xTitle: ""}});</script></div>')
page = """<!doctype html><html><head><meta charset="utf-8">
<link type="text/css" rel="stylesheet" href="/classic/static/rickshaw/rickshaw.min.css">
<link type="text/css" rel="stylesheet" href="/classic/static/css/prom_console.css">
<script src="/classic/static/d3/d3.min.js"></script>
<script src="/classic/static/rickshaw/rickshaw.min.js"></script>
<script src="/classic/static/jquery/jquery.min.js"></script>
<script>var PATH_PREFIX = "";</script>
<script src="/classic/static/js/prom_console.js"></script>
<style>
body { margin: 12px; font-family: sans-serif; font-size: 11px; background: #f4f5f7; }
h1 { font-size: 18px; margin: 0 0 10px; }
.grid { display: grid; grid-template-columns: repeat(3, 560px); gap: 8px; }
.cell { background: #fff; border: 1px solid #ccd; padding: 4px; height: 330px; overflow: hidden; }
h2 { font-size: 13px; margin: 2px 4px 6px; }
</style></head><body><h1>%s: every panel of deploy/grafana/dashboards/vane.json, drawn by Prometheus (console template, the last %d s)</h1>
<div class="grid">%s</div></body></html>"""
open(out, "w").write(page % (html.escape(dashboard["title"]), window, "".join(cells)))
EOF
rows=$(( ($(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['panels']))" "$root/deploy/grafana/dashboards/vane.json") + 2) / 3 ))
height=$(( 50 + rows * 340 ))
mkdir -p "$root/docs/img"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1720,$height \
  --virtual-time-budget=30000 --screenshot="$root/docs/img/dashboard.png" "http://127.0.0.1:$prom_port/consoles/vane.html" \
  2>"$work/chromium.log" || { cat "$work/chromium.log" >&2; exit 1; }
echo "wrote docs/img/dashboard.png" >&2
