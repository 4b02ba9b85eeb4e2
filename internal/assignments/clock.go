package assignments

import (
	"context"
	"time"

	"github.com/intunetf/terraform-provider-intune/internal/graph"
)

// Clock is the engine's time source: when a write happened and how the consistency wait
// sleeps between reads. Production uses the real clock; tests inject one they step, so
// waiting out Graph's replication lag takes no real time (provider.WithClock).
type Clock interface {
	Now() time.Time
	// Sleep waits d, or returns ctx.Err() when ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error { return graph.Sleep(ctx, d) }

// clock is the provider's clock, or the real one.
func (d *ProviderData) clock() Clock {
	if d == nil || d.Clock == nil {
		return realClock{}
	}
	return d.Clock
}
