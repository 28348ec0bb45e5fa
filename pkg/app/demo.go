package app

import "context"

func (m *Main) runDemo(ctx context.Context) int {
	m.sinkFor(false, false).Error("demo: not built yet")
	return ExitRemote
}
