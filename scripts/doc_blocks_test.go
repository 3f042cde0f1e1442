package scripts

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The shell blocks of README.md and docs/*.md are what readers copy. Each one is either run
// by a test or marked as needing AWS, which nothing here can reach; the line before its
// opening fence says which (docs/testing.md):
//
//	<!-- test: NAME -->   a script run by make reads the block with `doc_block FILE NAME`
//	                      (or a function of its own around it, named *_block)
//	<!-- needs AWS -->    an AWS account is needed: no test runs it
var (
	markerRE = regexp.MustCompile(`^<!-- (?:test: ([a-z0-9-]+)|needs AWS) -->$`)
	fenceRE  = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})[ \t]*([^ \t`]*)")
	// doc_block FILE NAME, or a script's own function around it whose name ends in _block.
	claimRE = regexp.MustCompile(`(?m)^[^#\n]*\b\w*_block[ \t]+(\S+\.md)[ \t]+([a-z0-9-]+)`)
	// An indented code block (four spaces after a blank line) that starts with a command.
	indentedRE = regexp.MustCompile(`^(?: {4,}|\t)(?:\$ )?(?:make|docker|podman|curl|http|aws|terraform|go|git|npm|npx|node|export|cd|[A-Z][A-Z0-9_]*=)\b`)
	targetRE   = regexp.MustCompile(`(?m)^([a-zA-Z0-9_-]+(?:[ \t]+[a-zA-Z0-9_-]+)*)[ \t]*:(?:[^=]|$)`)
)

// shellLanguages are the fence info strings of command blocks; a fence with none counts too,
// since a reader cannot tell it from one (output takes ```text).
var shellLanguages = []string{"", "sh", "bash", "shell", "console", "zsh"}

type docBlock struct {
	file, lang, marker, name string // marker: "test", "aws" or ""
	line                     int    // of the opening fence
	body                     []string
}

// parseDocBlocks returns the fenced blocks of a Markdown file, and its problems that need no
// other file: a marker with no block after it, an indented command.
func parseDocBlocks(file, md string) (blocks []docBlock, problems []string) {
	lines := strings.Split(md, "\n")
	var open *docBlock
	fence := ""
	pending, pendingName, pendingLine := "", "", 0 // a marker waiting for its block
	for i, l := range lines {
		if open != nil {
			if strings.HasPrefix(strings.TrimLeft(l, " "), fence) && strings.Trim(strings.TrimLeft(l, " "), fence[:1]+" \t") == "" {
				blocks = append(blocks, *open)
				open = nil
			} else {
				open.body = append(open.body, l)
			}
			continue
		}
		if m := fenceRE.FindStringSubmatch(l); m != nil {
			open = &docBlock{file: file, lang: m[2], line: i + 1, marker: pending, name: pendingName}
			fence, pending = m[1], ""
			continue
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		if pending != "" {
			problems = append(problems, fmt.Sprintf("%s:%d: a marker with no fenced block right after it", file, pendingLine))
			pending = ""
		}
		if m := markerRE.FindStringSubmatch(l); m != nil {
			pending, pendingName, pendingLine = "aws", "", i+1
			if m[1] != "" {
				pending, pendingName = "test", m[1]
			}
			continue
		}
		if i > 0 && strings.TrimSpace(lines[i-1]) == "" && indentedRE.MatchString(l) {
			problems = append(problems, fmt.Sprintf("%s:%d: an indented command: put it in a fenced ```sh block and mark it (docs/testing.md)", file, i+1))
		}
	}
	if open != nil {
		problems = append(problems, fmt.Sprintf("%s:%d: a fenced block that never closes", file, open.line))
	}
	return blocks, problems
}

// makeTargets returns the words after `make` on a command line, up to the end of that make
// command, that are targets rather than options or VAR=value.
func makeTargets(line string) []string {
	if i := strings.Index(line, " #"); i >= 0 {
		line = line[:i]
	}
	var targets []string
	words := strings.Fields(line)
	for i, w := range words {
		if w != "make" && !strings.HasSuffix(w, "(make") {
			continue
		}
		for _, t := range words[i+1:] {
			if t == "&&" || t == "||" || t == ";" || t == "|" || t == "&" {
				break
			}
			end := t
			if j := strings.IndexAny(t, `)"';`); j >= 0 {
				end = t[:j]
			}
			if !strings.HasPrefix(end, "-") && !strings.Contains(end, "=") && end != "" {
				targets = append(targets, end)
			}
			if end != t {
				break // the command substitution, the quote or the command ends here
			}
		}
	}
	return targets
}

// checkDocBlocks returns every problem of the Markdown files (name → content) against the
// scripts that read their blocks (scripts/NAME.sh → content) and the Makefile.
func checkDocBlocks(docs, scripts map[string]string, makefile string) []string {
	targets := map[string]bool{}
	for _, m := range targetRE.FindAllStringSubmatch(makefile, -1) {
		for _, t := range strings.Fields(m[1]) {
			targets[t] = true
		}
	}
	type key struct{ file, name string }
	claims := map[key][]string{}
	var problems []string
	for script, src := range scripts {
		for _, m := range claimRE.FindAllStringSubmatch(src, -1) {
			claims[key{m[1], m[2]}] = append(claims[key{m[1], m[2]}], script)
			if !strings.Contains(makefile, script) {
				problems = append(problems, fmt.Sprintf("%s reads %s's block %s, but no make target runs %s", script, m[1], m[2], script))
			}
		}
	}
	seen := map[key]bool{}
	for _, file := range slices.Sorted(maps.Keys(docs)) {
		blocks, p := parseDocBlocks(file, docs[file])
		problems = append(problems, p...)
		for _, b := range blocks {
			shell := slices.Contains(shellLanguages, b.lang)
			switch {
			case b.marker == "" && shell:
				msg := fmt.Sprintf("%s:%d: a ```%s block that no test runs and that is not marked as needing AWS: put <!-- test: NAME --> before it and run it from a script with doc_block %s NAME, or put <!-- needs AWS --> before it (docs/testing.md)", file, b.line, b.lang, file)
				if b.lang == "" {
					msg += "; if it is output, not commands, label it ```text"
				}
				problems = append(problems, msg)
			case b.marker == "test":
				k := key{file, b.name}
				if seen[k] {
					problems = append(problems, fmt.Sprintf("%s:%d: a second block named %s", file, b.line, b.name))
				}
				seen[k] = true
				if len(claims[k]) == 0 {
					problems = append(problems, fmt.Sprintf("%s:%d: <!-- test: %s --> but no script reads it (doc_block %s %s)", file, b.line, b.name, file, b.name))
				}
			}
			if !shell {
				continue
			}
			for j, l := range b.body {
				for _, t := range makeTargets(l) {
					if !targets[t] {
						problems = append(problems, fmt.Sprintf("%s:%d: make %s: the Makefile has no such target", file, b.line+1+j, t))
					}
				}
			}
		}
	}
	for k, scripts := range claims {
		if !seen[k] {
			problems = append(problems, fmt.Sprintf("%s: doc_block %s %s, but %s has no <!-- test: %s --> block", strings.Join(scripts, ", "), k.file, k.name, k.file, k.name))
		}
	}
	slices.Sort(problems)
	return problems
}

// TestDocCommandBlocks holds README.md and docs/*.md to the rule above.
func TestDocCommandBlocks(t *testing.T) {
	read := func(pattern string) map[string]string {
		paths, err := filepath.Glob(filepath.Join("..", pattern))
		if err != nil || len(paths) == 0 {
			t.Fatalf("%s: %v", pattern, err)
		}
		files := map[string]string{}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.ToSlash(strings.TrimPrefix(p, ".."+string(filepath.Separator)))] = string(b)
		}
		return files
	}
	docs := read("docs/*.md")
	docs["README.md"] = read("README.md")["README.md"]
	makefile, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkDocBlocks(docs, read("scripts/*.sh"), string(makefile)) {
		t.Error(p)
	}
}

func TestCheckDocBlocks(t *testing.T) {
	makefile := "run build: go-toolchain\n\tgo run .\nsmoke: ## a live server\n\tx\nVAR := 1\n"
	scripts := map[string]string{
		"scripts/test-docs.sh": "source scripts/doc-blocks.sh\ndoc_block README.md quick\n# doc_block README.md commented\n",
		"scripts/orphan.sh":    "doc_block README.md other\n",
		"scripts/test-gone.sh": "doc_block docs/a.md gone\n",
	}
	makefile += "test: \n\tscripts/test-docs.sh\n\tscripts/test-gone.sh\n"
	docs := map[string]string{
		"README.md": "# x\n\n<!-- test: quick -->\n```sh\nmake run\nACTORS_X=1 make smoke URL=http://x\ncurl \"$(make -s url)/actors\"\n```\n\n" +
			"<!-- needs AWS -->\n\n```bash\nmake deploy\n```\n\n" +
			"```json\n{}\n```\n\n```\nFAIL something\n```\n\n```sh\nmake run\n```\n\n" +
			"<!-- test: other -->\nno block\n\n    make image\n\n- item\n    make run\n",
	}
	want := []string{ // sorted as text
		"README.md:13: make deploy: the Makefile has no such target",
		"README.md:20: a ``` block that no test runs",
		"README.md:24: a ```sh block that no test runs",
		"README.md:28: a marker with no fenced block right after it",
		"README.md:31: an indented command",
		"README.md:7: make url: the Makefile has no such target",
		"scripts/orphan.sh reads README.md's block other, but no make target runs scripts/orphan.sh",
		"scripts/orphan.sh: doc_block README.md other, but README.md has no <!-- test: other --> block",
		"scripts/test-gone.sh: doc_block docs/a.md gone, but docs/a.md has no <!-- test: gone --> block",
	}
	got := checkDocBlocks(docs, scripts, makefile)
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d = %q, want it to start with %q", i, got[i], want[i])
		}
	}
	if !strings.Contains(strings.Join(got, "\n"), "label it ```text") {
		t.Error("the unlabelled block's problem does not say to label output ```text")
	}
}

func TestMakeTargets(t *testing.T) {
	for line, want := range map[string][]string{
		"make run    # serves http://127.0.0.1:5000":                 {"run"},
		"ACTORS_USERNAME=user make smoke URL=http://127.0.0.1:5000":  {"smoke"},
		`curl -u "actors:x" "$(make -s url)/actors"`:                 {"url"},
		"make check-breaking BASE=main    # against any git ref":     {"check-breaking"},
		"make image PLATFORM=linux/arm64 && docker run actors":       {"image"},
		"export AWS_REGION=us-east-1":                                nil,
		"make deploy                       # ... prints http://x:50": {"deploy"},
		"make bench loadtest":                                        {"bench", "loadtest"},
	} {
		if got := makeTargets(line); !slices.Equal(got, want) {
			t.Errorf("makeTargets(%q) = %q, want %q", line, got, want)
		}
	}
}
