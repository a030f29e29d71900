#!/usr/bin/env bash
# Compares the benchmark of an older commit with this checkout's, alternating runs on the same machine.
#
#   bench/compare-builds.sh [--rounds N] <old-commit> -- <benchmark arguments>
#   bench/compare-builds.sh 7c43dc7 -- --scenarios pipeline --messages 300000
#
# Builds the old commit's bench/EventEngine.Benchmarks (Release) in a temporary git worktree outside the repository
# (removed at the end) and this checkout's, then runs old and new alternately N rounds (default 5) with the same
# arguments. Every "result" line is a figure: the engine's (scenario/case/metric) and each baseline's
# (scenario/case/metric [baseline NAME]). Prints each round's figures and, for every figure both builds printed, the
# median over the rounds of new/old. A baseline's ratio (bare Akka, ...) shows how much the machine itself moved.
# Each run's full output is kept in the log directory printed at the start.
set -euo pipefail

usage() { echo "usage: $0 [--rounds N] <old-commit> -- <benchmark arguments>" >&2; exit 2; }
rounds=5
[[ ${1:-} == --rounds ]] && { rounds=${2:?}; shift 2; }
[[ $# -ge 2 && ${2:-} == -- ]] || usage
old_commit=$1
shift 2

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
old_sha=$(git -C "$repo" rev-parse --verify "$old_commit^{commit}") || { echo "compare-builds: no commit '$old_commit'" >&2; exit 2; }
new_desc="$(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src bench || echo '+uncommitted')"
work=$(mktemp -d /tmp/compare-builds.XXXXXX)
logs="$work/logs"
mkdir -p "$logs"
cleanup() {
    git -C "$repo" worktree remove --force "$work/old" >/dev/null 2>&1 || true
    git -C "$repo" worktree prune
    # Keep the logs, drop the build.
    mkdir -p /tmp/compare-builds-logs && rm -rf "/tmp/compare-builds-logs/$(basename "$work")" && mv "$logs" "/tmp/compare-builds-logs/$(basename "$work")"
    rm -rf "$work"
}
trap cleanup EXIT
echo "compare-builds: old ${old_sha:0:7}, new $new_desc, $rounds rounds of: $*"
echo "compare-builds: logs in /tmp/compare-builds-logs/$(basename "$work")"

bench_project=bench/EventEngine.Benchmarks/EventEngine.Benchmarks.csproj
bench_dll=bench/EventEngine.Benchmarks/bin/Release/net10.0/EventEngine.Benchmarks.dll
git -C "$repo" worktree add --detach --quiet "$work/old" "$old_sha"
for tree in "$work/old" "$repo"; do
    echo "compare-builds: building $tree/$bench_project"
    dotnet build "$tree/$bench_project" -c Release -nologo -v q >"$logs/build-$(basename "$tree").log" 2>&1 \
        || { tail -20 "$logs/build-$(basename "$tree").log" >&2; exit 1; }
done

# "result scenario=S case=C metric=M unit=U engine=E baseline=NAME:B ratio=..." -> "S/C/M (U)<TAB>E" and "S/C/M [NAME] (U)<TAB>B"
figures() {
    sed -nE 's/^result scenario=([^ ]+) case=(.*) metric=([^ ]+) unit=([^ ]+) engine=([^ ]+) baseline=(.*):([^: ]+) ratio=.*/\1\/\2\/\3 (\4)\t\5\n\1\/\2\/\3 [\6] (\4)\t\7/p' "$1" \
        | awk -F'\t' '!seen[$1]++'
}

for round in $(seq 1 "$rounds"); do
    for build in old new; do
        tree=$([[ $build == old ]] && echo "$work/old" || echo "$repo")
        out="$logs/round$round-$build.out"
        # Run from the build's own tree: the bench finds its repository (samples, Python scripts) from there.
        if ! (cd "$tree" && dotnet "$bench_dll" "$@") >"$out" 2>"$logs/round$round-$build.err"; then
            echo "compare-builds: round $round $build exited with an error (see $out and its .err)"
        fi
        figures "$out" | sed "s/^/$round\t$build\t/" >>"$logs/figures.tsv"
        echo "round $round $build: $(grep -m1 -o 'load average [0-9. ]*' "$out" || echo 'load average ?')"
        figures "$out" | sed 's/^/    /; s/\t/ = /'
    done
done

echo
echo "median over $rounds rounds of new/old (each round's new against the same round's old; higher is better for rates, lower for times):"
awk -F'\t' '
    { value[$3, $1, $2] = $4; if (!($3 in known)) { known[$3] = 1; order[++n] = $3 } }
    END {
        for (i = 1; i <= n; i++) {
            f = order[i]; k = 0
            for (r = 1; r <= '"$rounds"'; r++)
                if (((f, r, "old") in value) && ((f, r, "new") in value) && value[f, r, "old"] + 0 != 0)
                    ratios[++k] = value[f, r, "new"] / value[f, r, "old"]
            if (k == 0) continue
            for (a = 1; a <= k; a++) for (b = a + 1; b <= k; b++) if (ratios[b] < ratios[a]) { t = ratios[a]; ratios[a] = ratios[b]; ratios[b] = t }
            median = k % 2 ? ratios[(k + 1) / 2] : (ratios[k / 2] + ratios[k / 2 + 1]) / 2
            line = ""
            for (a = 1; a <= k; a++) line = line sprintf(" %.3f", ratios[a])
            printf "  %-70s %.3fx  (rounds, sorted:%s)\n", f, median, line
        }
    }' "$logs/figures.tsv"
echo "compare-builds: load average now $(cut -d' ' -f1-3 /proc/loadavg) (figures from a busy machine are not comparable)"
