package storetest

import (
	"context"
	"sync"

	"github.com/actors-dev/actors/internal/actors"
)

// recorded are the names of the Store methods the cases have called.
type recorded struct{ sync.Map }

func (r *recorded) has(method string) bool {
	_, ok := r.Load(method)
	return ok
}

// recording is the Store the cases get: it notes each method called, so that RunWith can
// fail when one of actors.Store's is never called. It spells each method out rather than
// embedding the Store, so that a method added to actors.Store fails to compile here until it
// is recorded too.
type recording struct {
	s     actors.Store
	calls *recorded
}

func (r recording) List(ctx context.Context, after int64, limit int) (actors.Page, error) {
	r.calls.Store("List", true)
	return r.s.List(ctx, after, limit)
}

func (r recording) Get(ctx context.Context, id int64) (actors.Actor, error) {
	r.calls.Store("Get", true)
	return r.s.Get(ctx, id)
}

func (r recording) Create(ctx context.Context, f actors.Fields) (actors.Actor, error) {
	r.calls.Store("Create", true)
	return r.s.Create(ctx, f)
}

func (r recording) Replace(ctx context.Context, id int64, f actors.Fields, m actors.IfMatch) (actors.Actor, error) {
	r.calls.Store("Replace", true)
	return r.s.Replace(ctx, id, f, m)
}

func (r recording) Update(ctx context.Context, id int64, p actors.Patch, m actors.IfMatch) (actors.Actor, error) {
	r.calls.Store("Update", true)
	return r.s.Update(ctx, id, p, m)
}

func (r recording) Delete(ctx context.Context, id int64, m actors.IfMatch) error {
	r.calls.Store("Delete", true)
	return r.s.Delete(ctx, id, m)
}

func (r recording) Ping(ctx context.Context) error {
	r.calls.Store("Ping", true)
	return r.s.Ping(ctx)
}
