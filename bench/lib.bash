# bench/lib.bash - what the start-up benchmarks share. Source it, define
# the array `variants` and a function `run_one VARIANT`, then:
#   time_variants RUNS   runs every variant RUNS times, interleaved
#                        round-robin (bare, builtin, ..., bare, ...) so that
#                        drift on a noisy machine hits all of them alike;
#                        each run is timed on its own with $EPOCHREALTIME,
#                        into samples[VARIANT] (microseconds)
#   report_variants V... prints median, 10th and 90th percentile of each V,
#                        and keeps the medians in med[V]
#   ratio A B            A / B with two decimals
declare -A samples med

time_variants() {
    local runs=$1 i v t0 t1
    for v in "${variants[@]}"; do run_one "$v" >/dev/null 2>&1; done # warm caches
    for ((i = 0; i < runs; i++)); do
        for v in "${variants[@]}"; do
            t0=$EPOCHREALTIME
            run_one "$v" >/dev/null 2>&1
            t1=$EPOCHREALTIME
            samples[$v]+="$(((${t1/./} - ${t0/./}))) "
        done
    done
}

pct() { # pct P values... -> the P-th percentile (nearest rank)
    local p=$1
    shift
    local sorted=($(printf '%s\n' "$@" | sort -n))
    local k=$(((p * ${#sorted[@]} + 99) / 100))
    ((k < 1)) && k=1
    echo "${sorted[k - 1]}"
}

report_variants() {
    local v vals
    printf '%-10s %10s %10s %10s\n' variant median_us p10_us p90_us
    for v in "$@"; do
        vals=(${samples[$v]})
        med[$v]=$(pct 50 "${vals[@]}")
        printf '%-10s %10s %10s %10s\n' "$v" "${med[$v]}" "$(pct 10 "${vals[@]}")" \
            "$(pct 90 "${vals[@]}")"
    done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
