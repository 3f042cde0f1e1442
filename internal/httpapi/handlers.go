package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/actors-dev/actors/gen/actorsapi"
	"github.com/actors-dev/actors/internal/actors"
)

// defaultLimit is the page size when the client gives none; the spec says the same.
const defaultLimit = 100

// readyTimeout bounds the store check behind /readyz, so a probe never hangs.
const readyTimeout = 2 * time.Second

// handlers implements the generated strict interface over an actors.Store. Errors they
// return go to errorResponder, which maps store sentinels to problems.
type handlers struct {
	store actors.Store
}

var _ actorsapi.StrictServerInterface = handlers{}

func toAPI(a actors.Actor) actorsapi.Actor {
	return actorsapi.Actor{Id: a.ID, Actor: a.Name, Role: a.Role}
}

// etag is the actor's version as a strong entity tag.
func etag(a actors.Actor) string {
	return `"` + strconv.FormatInt(a.Version, 10) + `"`
}

func (h handlers) ListActors(ctx context.Context, req actorsapi.ListActorsRequestObject) (actorsapi.ListActorsResponseObject, error) {
	limit, after := defaultLimit, int64(0)
	if req.Params.Limit != nil {
		limit = int(*req.Params.Limit)
	}
	if req.Params.After != nil {
		after = *req.Params.After
	}
	page, err := h.store.List(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list actors: %w", err)
	}
	resp := &answer{status: http.StatusOK, list: true, actors: make([]actorsapi.Actor, len(page.Actors))}
	for i, a := range page.Actors {
		resp.actors[i] = toAPI(a)
	}
	if page.More && len(page.Actors) > 0 {
		resp.link = "</actors?limit=" + strconv.Itoa(limit) + "&after=" + strconv.FormatInt(page.Actors[len(page.Actors)-1].ID, 10) + `>; rel="next"`
	}
	return resp, nil
}

func (h handlers) CreateActor(ctx context.Context, req actorsapi.CreateActorRequestObject) (actorsapi.CreateActorResponseObject, error) {
	a, err := h.store.Create(ctx, actors.Fields{Name: req.Body.Actor, Role: req.Body.Role})
	if err != nil {
		return nil, fmt.Errorf("create actor: %w", err)
	}
	return &answer{status: http.StatusCreated, actor: toAPI(a), etag: etag(a), location: "/actors/" + strconv.FormatInt(a.ID, 10)}, nil
}

func (h handlers) GetActor(ctx context.Context, req actorsapi.GetActorRequestObject) (actorsapi.GetActorResponseObject, error) {
	a, err := h.store.Get(ctx, req.Id)
	if err != nil {
		return nil, fmt.Errorf("get actor: %w", err)
	}
	if req.Params.IfNoneMatch != nil {
		if tag := etag(a); noneMatch(*req.Params.IfNoneMatch, tag) {
			return actorsapi.GetActor304Response{Headers: actorsapi.GetActor304ResponseHeaders{ETag: tag}}, nil
		}
	}
	return &answer{status: http.StatusOK, actor: toAPI(a), etag: etag(a)}, nil
}

func (h handlers) ReplaceActor(ctx context.Context, req actorsapi.ReplaceActorRequestObject) (actorsapi.ReplaceActorResponseObject, error) {
	a, err := h.store.Replace(ctx, req.Id, actors.Fields{Name: req.Body.Actor, Role: req.Body.Role}, ifMatch(req.Params.IfMatch))
	if err != nil {
		return nil, fmt.Errorf("replace actor: %w", err)
	}
	return &answer{status: http.StatusOK, actor: toAPI(a), etag: etag(a)}, nil
}

func (h handlers) PatchActor(ctx context.Context, req actorsapi.PatchActorRequestObject) (actorsapi.PatchActorResponseObject, error) {
	a, err := h.store.Update(ctx, req.Id, actors.Patch{Name: req.Body.Actor, Role: req.Body.Role}, ifMatch(req.Params.IfMatch))
	if err != nil {
		return nil, fmt.Errorf("patch actor: %w", err)
	}
	return &answer{status: http.StatusOK, actor: toAPI(a), etag: etag(a)}, nil
}

func (h handlers) DeleteActor(ctx context.Context, req actorsapi.DeleteActorRequestObject) (actorsapi.DeleteActorResponseObject, error) {
	if err := h.store.Delete(ctx, req.Id, ifMatch(req.Params.IfMatch)); err != nil {
		return nil, fmt.Errorf("delete actor: %w", err)
	}
	return actorsapi.DeleteActor204Response{}, nil
}

func (h handlers) GetHealthz(context.Context, actorsapi.GetHealthzRequestObject) (actorsapi.GetHealthzResponseObject, error) {
	return actorsapi.GetHealthz200JSONResponse{Status: actorsapi.HealthStatusOk}, nil
}

func (h handlers) GetReadyz(ctx context.Context, _ actorsapi.GetReadyzRequestObject) (actorsapi.GetReadyzResponseObject, error) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		return nil, fmt.Errorf("readiness: %w: %w", actors.ErrUnavailable, err)
	}
	return actorsapi.GetReadyz200JSONResponse{Status: actorsapi.HealthStatusReady}, nil
}

// ifMatch reads an If-Match header (RFC 9110 §13.1.1) into store terms. "*" or no header
// allows any version. A tag this service did not issue, or a weak one (If-Match compares
// strongly), becomes version 0, which no actor has, so the write fails with 412.
func ifMatch(header *string) actors.IfMatch {
	if header == nil {
		return nil
	}
	var m actors.IfMatch
	for _, tag := range strings.Split(*header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return nil
		}
		m = append(m, parseETag(tag))
	}
	return m
}

func parseETag(tag string) int64 {
	if len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
		return 0
	}
	v, err := strconv.ParseInt(tag[1:len(tag)-1], 10, 64)
	if err != nil || v < 1 {
		return 0
	}
	return v
}

// noneMatch reports whether an If-None-Match header matches tag, comparing weakly as
// RFC 9110 §13.1.2 asks: W/"3" matches "3".
func noneMatch(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}
