package emulator_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The request log (intune-emulator -log-requests) lets a person see what a terraform run
// sent: one line per request with method, path and status, never a token or a body.
func TestRequestLogHasOneLinePerRequestAndNoSecrets(t *testing.T) {
	var log lockedBuffer
	s := startEmu(t, func(c *emulator.Config) { c.RequestLog = &log })
	token, err := s.IssueToken(emulator.TokenOptions{ClientID: rwClient, Roles: []string{emulator.PermReadWriteAll}})
	if err != nil {
		t.Fatal(err)
	}
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations/"+id+"/assignments", token, nil, nil)
	doReq(t, s, "POST", "/beta/deviceManagement/deviceConfigurations/"+id+"/assign", token,
		map[string]any{"assignments": []any{map[string]any{"target": map[string]any{"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}}}, nil)
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "GET /beta/deviceManagement/deviceConfigurations/"+id+"/assignments -> 200") ||
		!strings.Contains(lines[1], "POST /beta/deviceManagement/deviceConfigurations/"+id+"/assign -> 200") {
		t.Fatalf("request log:\n%s", log.String())
	}
	if strings.Contains(log.String(), token[:20]) || strings.Contains(log.String(), "allDevices") {
		t.Fatalf("the request log holds a token or a body:\n%s", log.String())
	}
}

// A $batch's items are logged as their own lines, each marked as an item of the batch line
// that follows them, so that counting lines does not count items as requests.
func TestRequestLogMarksBatchItems(t *testing.T) {
	var log lockedBuffer
	s := startEmu(t, func(c *emulator.Config) { c.RequestLog = &log })
	token, err := s.IssueToken(emulator.TokenOptions{ClientID: rwClient, Roles: []string{emulator.PermReadWriteAll}})
	if err != nil {
		t.Fatal(err)
	}
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	doReq(t, s, "POST", "/beta/$batch", token, map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "GET", "url": "/deviceManagement/deviceConfigurations/" + id + "/assignments"},
	}}, nil)
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "-> 200 (item 1 of the next $batch)") || !strings.Contains(lines[1], "POST /beta/$batch -> 200") || strings.Contains(lines[1], "item") {
		t.Fatalf("request log:\n%s", log.String())
	}
}
