package docs

import (
	"testing"

	"github.com/swaggest/swgui/v5/static"
)

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header []string
		want   bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"gzip, deflate, br, zstd"}, true},
		{[]string{"br", "GZIP"}, true},
		{[]string{"br;q=1.0, gzip;q=0.5"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"*"}, true},
		{[]string{"identity"}, false},
		{[]string{"x-gzip-ish"}, false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.header); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

// Every shipped file must decompress: identity is computed only when a client asks for it.
func TestEveryAssetDecompresses(t *testing.T) {
	assets, err := loadAssets(static.FS)
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range assets {
		plain, err := a.identity()
		if err != nil || len(plain.body) == 0 {
			t.Errorf("%s: %v (%d bytes)", name, err, len(plain.body))
		}
	}
}
