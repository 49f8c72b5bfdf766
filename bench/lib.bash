# bench/lib.bash - what the start-up benchmarks share (sourced by bash).
#
#   sample RUNS VARIANT...  runs `run_one VARIANT` (the caller's function) RUNS
#                           times per variant, interleaved round-robin so that
#                           drift on a noisy machine hits all alike, each run
#                           timed on its own with $EPOCHREALTIME; fills the
#                           associative array samples[VARIANT] with the times
#                           in microseconds
#   pct P VALUES...         the P-th percentile (nearest rank)
#   ratio A B               A / B with two decimals

declare -A samples

sample() {
    local runs=$1 i v t0 t1
    shift
    for ((i = 0; i < runs; i++)); do
        for v in "$@"; do
            t0=$EPOCHREALTIME
            run_one "$v" >/dev/null 2>&1
            t1=$EPOCHREALTIME
            samples[$v]+="$(( (${t1/./} - ${t0/./}) )) "
        done
    done
}

pct() {
    local p=$1
    shift
    local sorted=($(printf '%s\n' "$@" | sort -n))
    local k=$(( (p * ${#sorted[@]} + 99) / 100 ))
    ((k < 1)) && k=1
    echo "${sorted[k - 1]}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
