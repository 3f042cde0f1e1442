package main

import (
	"bufio"
	"io"
	"os"
	"sync"
	"time"
)

// logWriter batches log lines into fewer writes, since a write(2) for every access-log
// line is among the largest costs of a request (docs/performance.md). A line waits at
// most one flush interval; Close flushes, so SIGTERM loses nothing, while a crash
// or SIGKILL may lose the last interval's lines.
type logWriter struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newLogWriter(w io.Writer, size int, every time.Duration) *logWriter {
	l := &logWriter{buf: bufio.NewWriterSize(w, size), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				l.Flush()
			case <-l.stop:
				return
			}
		}
	}()
	return l
}

// Write appends p; the buffer writes through by itself when full.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Flush()
}

// Close stops the flushing goroutine and flushes.
func (l *logWriter) Close() error {
	close(l.stop)
	<-l.done
	return l.Flush()
}

// term reports whether w is a terminal (or another character device, such as /dev/null).
func term(w io.Writer) bool {
	f, _ := w.(*os.File) // for any other writer nil, whose Stat fails
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
