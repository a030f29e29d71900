#!/usr/bin/env bash
# Runs every test of the repository: the C# test projects, then the Python tests of pyevents
# (which start the built example engine as a child process). Prints one closing line.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build EventEngine.Actors.sln -c Release --no-restore --verbosity quiet -nologo || { echo "build failed" >&2; exit 1; }

failed=0
passed=0
for project in tests/*/*.csproj; do
  grep -q "<IsTestProject>true</IsTestProject>" "$project" || continue # e.g. tests/EventEngine.Actors.FaultHost, a program the tests run
  name=$(basename "$project" .csproj)
  log=$(mktemp)
  dotnet test "$project" -c Release --no-build --nologo 2>&1 | tee "$log" | grep -vE "^\s*$" || true
  summary=$(grep -E "(Passed|Failed)!" "$log" | tail -1)
  [ -n "$summary" ] || { echo "$name: no test summary (crash?)" >&2; failed=$((failed + 1)); }
  p=$(sed -nE 's/.*Passed: +([0-9]+).*/\1/p' <<<"$summary"); f=$(sed -nE 's/.*Failed: +([0-9]+),.*/\1/p' <<<"$summary")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  rm -f "$log"
done

py_log=$(mktemp)
PYTHONPATH=pyevents /usr/bin/python3 -m pytest pyevents/tests -q -p no:cacheprovider 2>&1 | tee "$py_log"
py_status=${PIPESTATUS[0]}
p=$(grep -oE "[0-9]+ passed" "$py_log" | tail -1 | grep -oE "[0-9]+"); f=$(grep -oE "[0-9]+ failed" "$py_log" | tail -1 | grep -oE "[0-9]+")
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
if [ "$py_status" -ne 0 ] && [ "$py_status" -ne 5 ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
rm -f "$py_log"

# --- pyevents type check (issue 14): mypy on the package, configured in pyevents/pyproject.toml ---
if (cd pyevents && /usr/bin/python3 -m mypy pyevents); then passed=$((passed + 1)); else echo "mypy: pyevents has type errors" >&2; failed=$((failed + 1)); fi
# --- end pyevents type check ---

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
