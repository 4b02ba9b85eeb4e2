package emulator

import "net/http"

// serveBatch is the JSON batching endpoint (spec 5.1). Not implemented yet:
// it answers 501 so a client that batches fails loudly instead of silently.
func (s *Server) serveBatch(c *reqCtx) {
	c.graphError(http.StatusNotImplemented, "NotImplemented", "The emulator does not implement $batch yet.", "")
}
