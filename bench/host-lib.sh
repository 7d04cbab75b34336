# bench/host-lib.sh: reading a benchmark's key=value result file on the
# host (sourced by bench/*.sh after they set res).

get() { sed -n "s/^$1=//p" "$res" | head -1; }

# figure NAME: "12.3 s (data ok)" or "not available (reason)"
figure() {
	local s data why
	s=$(get "${1}_s")
	data=$(get "${1}_data")
	if [ -n "$s" ]; then
		echo "$s s (data ${data:-not checked})"
	else
		why=$(get "$1")
		why=${why#unavailable:}
		echo "not available${why:+ ($why)}"
	fi
}

# ratio A B: A/B to two decimals, n/a when either is missing
ratio() {
	local a b
	a=$(get "${1}_s")
	b=$(get "${2}_s")
	if [ -n "$a" ] && [ -n "$b" ]; then
		awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
	else
		echo n/a
	fi
}
