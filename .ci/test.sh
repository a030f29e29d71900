#!/usr/bin/env bash
# Runs every test of the repository: the C# test projects, then the Python tests of pyevents
# (which start the built example engine as a child process). Prints one closing line
# "N passed, N failed, N skipped" and exits non-zero when anything did not pass.
#
# A project counts as failed when `dotnet test` exits non-zero, when its run was aborted (a crashed
# test host), or when it reports fewer tests than it contains (`--list-tests`). A test that hangs
# for HANG_TIMEOUT is stopped by --blame-hang-timeout, and a crash leaves a dump (--blame-crash);
# their paths are printed. pytest's exit 5 (no tests collected) is a failure. Skipped tests are
# counted and named; under CI=true the tests that need the built engine fail instead of skipping. The closing
# lines name every failed test with the first line of its error.
set -uo pipefail
# Tests send SIGINT (Ctrl+C) to the engines they start. A shell started in the background hands its children
# SIGINT ignored, and .NET keeps an inherited "ignored", so such a test would wait for an exit that never comes:
# restore the default disposition once for everything below.
if [ -z "${TESTS_SIGINT_DEFAULT:-}" ]; then exec env --default-signal=INT TESTS_SIGINT_DEFAULT=1 bash "$0" "$@"; fi
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
HANG_TIMEOUT=${HANG_TIMEOUT:-3m}
RESULTS=${RESULTS:-TestResults/ci}

dotnet build EventEngine.Actors.sln -c Release --no-restore --verbosity quiet -nologo || { echo "build failed" >&2; exit 1; }

passed=0 failed=0 skipped=0
problems=()

count() { sed -nE "s/.*[^a-zA-Z]$1: +([0-9]+).*/\1/p" <<<"$2"; }

for project in tests/*/*.csproj; do
  grep -q "<IsTestProject>true</IsTestProject>" "$project" || continue # e.g. tests/EventEngine.Actors.FaultHost, a program the tests run
  name=$(basename "$project" .csproj)
  listed=$(dotnet test "$project" -c Release --no-build --nologo --list-tests 2>/dev/null |
    sed -n '/The following Tests are available:/,$p' | tail -n +2 | grep -c '^ ')
  log=$(mktemp)
  dotnet test "$project" -c Release --no-build --nologo --results-directory "$RESULTS/$name" \
    --blame-crash --blame-crash-dump-type mini --blame-hang-timeout "$HANG_TIMEOUT" --blame-hang-dump-type mini \
    2>&1 | tee "$log" | grep --line-buffered -vE "^\s*$"
  status=${PIPESTATUS[0]}
  summary=$(grep -E "(Passed|Failed)!" "$log" | tail -1)
  p=$(count Passed "$summary"); f=$(count Failed "$summary"); s=$(count Skipped "$summary")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  ran=$(( ${p:-0} + ${f:-0} + ${s:-0} ))
  problem=""
  if grep -qiE "Test Run Aborted|test run was aborted" "$log"; then
    grep -qi "inactivity time" "$log" && why="a test hung for $HANG_TIMEOUT" || why="the test host crashed"
    problem="test run aborted ($why) after $ran of $listed tests"
    running=$(grep -A1 -i "running when the crash occurred" "$log" | tail -n +2 | sed -E 's/^\s+//' | sort -u | tr '\n' ' ')
    [ -n "$running" ] && problem+="; running: $running"
    dumps=$(grep -oE "[^ ]+\.dmp" "$log" | sort -u | tr '\n' ' ')
    [ -n "$dumps" ] && problem+="; dump: $dumps"
  elif [ "$ran" -lt "$listed" ]; then
    problem="reported $ran tests but contains $listed"
  elif [ "$status" -ne 0 ]; then
    problem="dotnet test exited with $status"
  fi
  if [ -n "$problem" ]; then
    problems+=("$name: $problem")
    [ "${f:-0}" -gt 0 ] || failed=$((failed + 1)) # a problem with no failed test still fails the run
  fi
  grep -E "^\s+Skipped " "$log" | sed "s/^\s*/skipped in $name: /"
  # each failed test by name with the first line of its error, so the closing lines say what failed
  while IFS= read -r line; do problems+=("$name: test failed: $line"); done < <(awk '/^[ \t]+Failed [A-Za-z_]/ {
      sub(/^[ \t]+Failed /, ""); name = $0; getline
      if ($0 ~ /Error Message/) { getline; sub(/^[ \t]+/, ""); print name ": " substr($0, 1, 400) } else print name }' "$log")
  rm -f "$log"
done

py_log=$(mktemp)
PYTHONPATH=pyevents /usr/bin/python3 -m pytest pyevents/tests -q -rs -p no:cacheprovider 2>&1 | tee "$py_log"
py_status=${PIPESTATUS[0]}
p=$(grep -oE "[0-9]+ passed" "$py_log" | tail -1 | grep -oE "[0-9]+")
f=$(tail -1 "$py_log" | grep -oE "[0-9]+ (failed|errors?)" | awk '{ n += $1 } END { print n + 0 }')
s=$(grep -oE "[0-9]+ skipped" "$py_log" | tail -1 | grep -oE "[0-9]+")
passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
if [ "$py_status" -ne 0 ]; then
  [ "$py_status" -eq 5 ] && problems+=("pyevents: pytest collected no tests (exit 5)") || problems+=("pyevents: pytest exited with $py_status")
  [ "${f:-0}" -gt 0 ] || failed=$((failed + 1))
fi
rm -f "$py_log"

# mypy on the pyevents package (configured in pyevents/pyproject.toml)
if (cd pyevents && /usr/bin/python3 -m mypy pyevents); then passed=$((passed + 1)); else problems+=("pyevents: mypy found type errors"); failed=$((failed + 1)); fi

for problem in "${problems[@]}"; do echo "FAILED $problem"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#problems[@]} -eq 0 ]
