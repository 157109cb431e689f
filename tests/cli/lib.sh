# Helpers for the command-line tests (sourced). $BZINT is the bzint binary, $SRC the source tree.
# Every test works in its own temporary folder, removed at exit.
set -uo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bzint_cli_XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export OMP_NUM_THREADS=2
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_rc RC NAME -- command...: runs the command, checks its exit status; stderr in $TMP/err.
expect_rc() {
    local want=$1 name=$2
    shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$name: exit status $rc, expected $want; stderr: $(head -c 2000 "$TMP/err")"
        return 1
    fi
    echo "ok: $name (exit $rc)"
}

# expect_err NAME REGEX: the last command's stderr matches.
expect_err() {
    if ! grep -Eq -- "$2" "$TMP/err"; then
        fail "$1: stderr does not match '$2': $(head -c 2000 "$TMP/err")"
        return 1
    fi
}

# write_run NAME TEXT: a run file $TMP/NAME.toml.
write_run() { printf '%s\n' "$2" >"$TMP/$1.toml"; }

# wait_for FILE SECONDS: until FILE exists (true) or the time is up (false).
wait_for() {
    local i
    for ((i = 0; i < $2 * 20; ++i)); do
        [ -e "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}

# interrupt NAME SIGNAL EXIT RUNFILE [extra env...]: run (with the options in BZINT_RUN_OPTIONS),
# wait for its first progress line (at most INTERRUPT_WAIT_S seconds of the clock, default 20),
# signal, and expect the exit status EXIT.
interrupt() {
    local name=$1 sig=$2 want=$3 file=$4
    shift 4
    rm -rf "$TMP/out_$name"
    env "$@" "$BZINT" run "$file" ${BZINT_RUN_OPTIONS:-} --out "$TMP/out_$name" 2>"$TMP/err_$name" >/dev/null &
    local pid=$! i
    # A deadline on the clock, not a count of polls: each poll forks, and on a loaded machine 400
    # of them took 45 s rather than 20.
    local deadline=$((${EPOCHREALTIME//[.,]/} + ${INTERRUPT_WAIT_S:-20} * 1000000))
    while ((${EPOCHREALTIME//[.,]/} < deadline)); do
        grep -q '\[bzint\]' "$TMP/err_$name" 2>/dev/null && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    if ! kill -0 $pid 2>/dev/null; then
        fail "$name: ended before it could be interrupted: $(tail -c 500 "$TMP/err_$name")"
        return 1
    fi
    local t0=$(date +%s.%N)
    kill -"$sig" $pid
    for ((i = 0; i < 200; ++i)); do
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 $pid 2>/dev/null; then
        kill -KILL $pid
        fail "$name: still running 10 s after SIG$sig"
        return 1
    fi
    wait $pid
    RC=$?
    local t1=$(date +%s.%N)
    echo "$name: SIG$sig → exit $RC after $(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }") s"
    [ "$RC" -eq "$want" ] || fail "$name: exit $RC after SIG$sig, expected $want: $(tail -c 500 "$TMP/err_$name")"
}
