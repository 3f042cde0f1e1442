// Command baseline is the yardstick for `make loadtest`: the least a hand-written net/http
// server can do to answer GET /actors and GET /actors/{id} for the 8 seed actors behind
// Basic auth. Its bodies are encoded once at start-up; it validates, logs and limits
// nothing. The service is measured against it, side by side.
package main

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/actors-dev/actors/internal/actors"
)

type actor struct {
	Actor string `json:"actor"`
	ID    int64  `json:"id"`
	Role  string `json:"role"`
}

func main() {
	addr := flag.String("addr", cmp.Or(os.Getenv("ACTORS_ADDR"), "127.0.0.1:5001"), "listen address (ACTORS_ADDR)")
	user := flag.String("username", "user", "Basic auth user name")
	password := flag.String("password", "password", "Basic auth password")
	flag.Parse()

	var list []actor
	one := map[string][]byte{}
	for i, f := range actors.Seed() {
		a := actor{Actor: f.Name, ID: int64(i + 1), Role: f.Role}
		list = append(list, a)
		b, err := json.Marshal(a)
		if err != nil {
			log.Fatal(err)
		}
		one[strconv.Itoa(i+1)] = append(b, '\n')
	}
	all, err := json.Marshal(list)
	if err != nil {
		log.Fatal(err)
	}
	all = append(all, '\n')

	wantUser, wantPassword := sha256.Sum256([]byte(*user)), sha256.Sum256([]byte(*password))
	authorized := func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		if !ok {
			return false
		}
		gu, gp := sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))
		return subtle.ConstantTimeCompare(gu[:], wantUser[:])&subtle.ConstantTimeCompare(gp[:], wantPassword[:]) == 1
	}
	serve := func(w http.ResponseWriter, r *http.Request, body []byte) {
		if !authorized(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="actors"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /actors", func(w http.ResponseWriter, r *http.Request) { serve(w, r, all) })
	mux.HandleFunc("GET /actors/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, ok := one[r.PathValue("id")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		serve(w, r, body)
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
