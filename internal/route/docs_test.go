package route_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/route"
)

// The docs that list the spec's operations, or count them, are held to its route table.

func specTable(t *testing.T) *route.Table {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(actorsapi.SpecYAML)
	if err != nil {
		t.Fatal(err)
	}
	table, err := route.New(doc)
	if err != nil {
		t.Fatal(err)
	}
	return table
}

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// section is the text of markdown from the heading that starts with heading to the next
// heading.
func section(t *testing.T, markdown, heading string) string {
	t.Helper()
	i := strings.Index(markdown, "\n"+heading)
	if i < 0 {
		t.Fatalf("no heading %q", heading)
	}
	rest := markdown[i+1+len(heading):]
	if j := strings.Index(rest, "\n#"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// tableRows are the cells of a markdown table's body rows.
func tableRows(text string) [][]string {
	var rows [][]string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "| ---") {
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		rows = append(rows, cells)
	}
	return rows[1:] // the header
}

var (
	codeSpan = regexp.MustCompile("`([^`]*)`")
	status   = regexp.MustCompile(`\b[1-5][0-9][0-9]\b`)
)

// TestREADMEAPITable: README's API table has a row for each operation of the spec, whose
// answers are the statuses the spec documents for it, and no row for an operation the spec
// does not have. Rows for paths outside the spec (the docs) are the reader's business.
func TestREADMEAPITable(t *testing.T) {
	table := specTable(t)
	rows := tableRows(section(t, readRepoFile(t, "README.md"), "## The API"))
	seen := map[*route.Op]bool{}
	for _, row := range rows {
		m := codeSpan.FindStringSubmatch(row[0])
		if len(row) != 3 || m == nil {
			t.Errorf("README's API table: row %q: want | `METHOD /path` | does | answers |", row)
			continue
		}
		method, target, _ := strings.Cut(m[1], " ")
		path, _, _ := strings.Cut(target, "?")
		p := table.Paths[path]
		if p == nil {
			continue // served beside the spec's operations
		}
		op := p.Ops[method]
		if op == nil {
			t.Errorf("README's API table lists %s %s, which the spec does not have", method, path)
			continue
		}
		if seen[op] {
			t.Errorf("README's API table lists %s twice", op.Pattern)
		}
		seen[op] = true
		var want []string
		for code := range op.Operation.Responses.Map() {
			if code != "default" {
				want = append(want, code)
			}
		}
		got := status.FindAllString(row[2], -1)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("README's API table: %s answers %v, the spec documents %v", op.Pattern, got, want)
		}
	}
	for _, op := range table.Ops {
		if !seen[op] {
			t.Errorf("README's API table has no row for %s (%s): add one", op.Pattern, op.ID)
		}
	}
}

// What the service's metrics and alarms are made of (docs/observability.md): 4 metrics an
// operation and 4 for the whole service, at $0.30 a metric a month; alarms at $0.50 an
// operation and $0.60 for the service's own.
const (
	metricsPerOperation = 4
	serviceMetrics      = 4
	perMetric           = 0.30
	alarmsPerOperation  = 0.50
	serviceAlarms       = 0.60
	// The running-tasks alarm reads two metrics, and goes with Container Insights.
	tasksAlarm = 0.20
)

var dollars = regexp.MustCompile(`\$([0-9]+(?:\.[0-9]+)?)`)

func amount(t *testing.T, s string) float64 {
	t.Helper()
	m := dollars.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no amount in %q", s)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// upTo is the amount after "up to" in s, or def.
func upTo(t *testing.T, s string, def float64) float64 {
	t.Helper()
	if _, after, ok := strings.Cut(s, "up to "); ok {
		return amount(t, after)
	}
	return def
}

// TestCostTable: docs/deploy.md's cost table is the one place that multiplies the cost of a
// metric and of an alarm by the spec's operations, and adds it all up. Its figures must be
// those of the spec as it is, and no other doc may repeat them.
func TestCostTable(t *testing.T) {
	ops := len(specTable(t).Ops)
	deploy := readRepoFile(t, "docs/deploy.md")
	costs := section(t, deploy, "## What it costs")
	var total, busy, insights float64
	var stated []string // "≈ $27.80", "up to $36.20"
	sawMetrics, sawAlarms := false, false
	for _, row := range tableRows(costs) {
		item, cost := row[0], row[len(row)-1]
		switch {
		case strings.Contains(item, "**total**"):
			stated = []string{fmt.Sprintf("$%.2f", roundDime(total)), fmt.Sprintf("$%.2f", roundDime(busy))}
			if amount(t, cost) != roundDime(total) || upTo(t, cost, 0) != roundDime(busy) {
				t.Errorf("deploy.md's total is %q: the rows add up to $%.2f, up to $%.2f", cost, roundDime(total), roundDime(busy))
			}
			continue
		case strings.Contains(item, "own metrics"):
			sawMetrics = true
			max := float64(metricsPerOperation*ops+serviceMetrics) * perMetric
			if !strings.Contains(item, fmt.Sprintf("%d per operation", metricsPerOperation)) || !strings.Contains(item, fmt.Sprintf("%d for the whole service", serviceMetrics)) ||
				!approx(upTo(t, cost, 0), max) {
				t.Errorf("deploy.md's metrics row: %q costs %q; for %d operations want up to $%.2f", item, cost, ops, max)
			}
		case strings.Contains(item, "CloudWatch alarms"):
			sawAlarms = true
			want := float64(ops)*alarmsPerOperation + serviceAlarms
			if !strings.Contains(item, fmt.Sprintf("for %d operations", ops)) || !approx(amount(t, cost), want) {
				t.Errorf("deploy.md's alarms row: %q costs %q; for the spec's %d operations want $%.2f", item, cost, ops, want)
			}
		case strings.Contains(item, "Container Insights"):
			insights = amount(t, cost)
		}
		total += amount(t, cost)
		busy += upTo(t, cost, amount(t, cost))
	}
	if !sawMetrics || !sawAlarms || stated == nil || insights == 0 {
		t.Fatalf("deploy.md's cost table lacks its metrics, alarms, Container Insights or total row")
	}
	without := fmt.Sprintf("≈ $%.2f without them", roundDime(total-insights-tasksAlarm))
	if !strings.Contains(deploy, without) {
		t.Errorf("deploy.md: without Container Insights and the running-tasks alarm, want %q", without)
	}

	// Nothing else multiplies them out: the other docs give the costs per metric and per
	// operation, and link to the table.
	derived := append(stated, fmt.Sprintf("%d operations", ops), fmt.Sprintf("%d metrics", metricsPerOperation*ops+serviceMetrics),
		fmt.Sprintf("$%.2f", float64(metricsPerOperation*ops+serviceMetrics)*perMetric), fmt.Sprintf("$%.2f", float64(ops)*alarmsPerOperation+serviceAlarms))
	others, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	others = append(others, filepath.Join("..", "..", "README.md"))
	for _, name := range others {
		if filepath.Base(name) == "deploy.md" {
			continue
		}
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, figure := range derived {
			if strings.Contains(string(text), figure) {
				t.Errorf("%s says %q: only docs/deploy.md's cost table adds costs up for the spec's operations; link to it", filepath.Base(name), figure)
			}
		}
	}
}

func roundDime(v float64) float64 { return math.Round(v*10) / 10 }

func approx(a, b float64) bool { return math.Abs(a-b) < 0.005 }
