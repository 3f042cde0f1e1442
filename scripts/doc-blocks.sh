# shellcheck shell=bash
# Sourced by the tests that run the command blocks of README.md and docs/*.md. A block a test
# runs has the line <!-- test: NAME --> before its opening fence; the test reads it with
#
#   doc_block FILE NAME   prints the block's lines (without the fences), or fails when FILE
#                         has no such block or more than one
#
# Call it, or a function of your own around it whose name ends in _block, with FILE and NAME
# written out, not in variables: scripts/doc_blocks_test.go reads the calls to know that every
# marked block is run (docs/testing.md).

doc_block() {
	local file=$1 name=$2 out
	if ! out=$(awk -v marker="<!-- test: $name -->" '
		$0 == marker { markers++; armed = 1; next }
		armed && /^[[:space:]]*$/ { next }
		armed && /^(```|~~~)/ { armed = 0; inside = 1; blocks++; fence = substr($0, 1, 3); next }
		armed { armed = 0 }
		inside && index($0, fence) == 1 { inside = 0; next }
		inside { print }
		END { exit !(markers == 1 && blocks == 1) }
	' "$file"); then
		echo "doc_block: $file needs exactly one <!-- test: $name --> line, followed by a fenced block" >&2
		return 1
	fi
	printf '%s\n' "$out"
}
