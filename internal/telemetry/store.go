package telemetry

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/actors-dev/actors/internal/actors"
)

// ActorIDKey is the store spans' attribute for the actor a call is about.
const ActorIDKey = attribute.Key("actors.id")

// Store returns s with a child span around every call, named after the method
// ("Store.Get"), or s itself when tp is nil. A DynamoDB store's own SDK spans (see AWS)
// then nest inside these.
func Store(s actors.Store, tp trace.TracerProvider) actors.Store {
	if tp == nil {
		return s
	}
	return tracedStore{s: s, tracer: tp.Tracer(scope)}
}

type tracedStore struct {
	s      actors.Store
	tracer trace.Tracer
}

func (t tracedStore) start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
}

// end closes a store span. Not found and version mismatch are answers, not failures.
func end(span trace.Span, err error) {
	if err != nil && !errors.Is(err, actors.ErrNotFound) && !errors.Is(err, actors.ErrVersionMismatch) {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

func (t tracedStore) List(ctx context.Context, after int64, limit int) (actors.Page, error) {
	ctx, span := t.start(ctx, "Store.List")
	p, err := t.s.List(ctx, after, limit)
	end(span, err)
	return p, err
}

func (t tracedStore) Get(ctx context.Context, id int64) (actors.Actor, error) {
	ctx, span := t.start(ctx, "Store.Get", ActorIDKey.Int64(id))
	a, err := t.s.Get(ctx, id)
	end(span, err)
	return a, err
}

func (t tracedStore) Create(ctx context.Context, f actors.Fields) (actors.Actor, error) {
	ctx, span := t.start(ctx, "Store.Create")
	a, err := t.s.Create(ctx, f)
	if err == nil {
		span.SetAttributes(ActorIDKey.Int64(a.ID))
	}
	end(span, err)
	return a, err
}

func (t tracedStore) Replace(ctx context.Context, id int64, f actors.Fields, m actors.IfMatch) (actors.Actor, error) {
	ctx, span := t.start(ctx, "Store.Replace", ActorIDKey.Int64(id))
	a, err := t.s.Replace(ctx, id, f, m)
	end(span, err)
	return a, err
}

func (t tracedStore) Update(ctx context.Context, id int64, p actors.Patch, m actors.IfMatch) (actors.Actor, error) {
	ctx, span := t.start(ctx, "Store.Update", ActorIDKey.Int64(id))
	a, err := t.s.Update(ctx, id, p, m)
	end(span, err)
	return a, err
}

func (t tracedStore) Delete(ctx context.Context, id int64, m actors.IfMatch) error {
	ctx, span := t.start(ctx, "Store.Delete", ActorIDKey.Int64(id))
	err := t.s.Delete(ctx, id, m)
	end(span, err)
	return err
}

func (t tracedStore) Ping(ctx context.Context) error {
	ctx, span := t.start(ctx, "Store.Ping")
	err := t.s.Ping(ctx)
	end(span, err)
	return err
}
