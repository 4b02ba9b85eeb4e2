package emulator

import "strings"

// store is an insertion-ordered map keyed case-insensitively by id: Graph
// treats GUID keys case-insensitively, and lists come back in a stable order.
// It is not goroutine-safe by itself; Server.mu guards it.
type store[T any] struct {
	order []string // lower-cased keys in insertion order
	items map[string]T
}

func newStore[T any]() *store[T] { return &store[T]{items: map[string]T{}} }

func (s *store[T]) get(id string) (T, bool) {
	v, ok := s.items[strings.ToLower(id)]
	return v, ok
}

func (s *store[T]) put(id string, v T) {
	k := strings.ToLower(id)
	if _, ok := s.items[k]; !ok {
		s.order = append(s.order, k)
	}
	s.items[k] = v
}

func (s *store[T]) del(id string) bool {
	k := strings.ToLower(id)
	if _, ok := s.items[k]; !ok {
		return false
	}
	delete(s.items, k)
	for i, o := range s.order {
		if o == k {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
	return true
}

func (s *store[T]) list() []T {
	out := make([]T, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, s.items[k])
	}
	return out
}
