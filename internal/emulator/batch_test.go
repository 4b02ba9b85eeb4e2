package emulator_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/intunetf/terraform-provider-intune/internal/emulator"
)

func TestBatch(t *testing.T) {
	s := startEmu(t, nil)
	tok := getToken(t, s, rwClient)
	id := s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: "p"})
	missing := "3c7a1f7e-0000-4000-8000-000000000000"
	s.FailNext(1, emulator.PathContains("GET", "/deviceConfigurations/"+id+"/assignments"), http.StatusTooManyRequests, 5)
	body := map[string]any{"requests": []any{
		map[string]any{"id": "1", "method": "POST", "url": "/deviceManagement/deviceConfigurations/" + id + "/assign",
			"headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{"assignments": []any{group(group1)}}},
		map[string]any{"id": "2", "method": "GET", "url": "deviceManagement/deviceConfigurations/" + id + "/assignments", "dependsOn": []any{"1"}},
		map[string]any{"id": "3", "method": "GET", "url": "/deviceManagement/deviceConfigurations/" + missing, "body": nil},
		map[string]any{"id": "4", "method": "GET", "url": "/deviceManagement/deviceConfigurations", "dependsOn": []any{"3"}},
	}}
	r := doReq(t, s, "POST", "/beta/$batch", tok, body, nil)
	if r.status != 200 {
		t.Fatalf("batch: %d %s", r.status, r.raw)
	}
	res := map[string]map[string]any{}
	for _, x := range r.json["responses"].([]any) {
		m := x.(map[string]any)
		res[m["id"].(string)] = m
	}
	if len(res) != 4 {
		t.Fatalf("responses: %s", r.raw)
	}
	if res["1"]["status"] != float64(200) {
		t.Errorf("item 1: %v", res["1"])
	}
	h2 := res["2"]["headers"].(map[string]any)
	if res["2"]["status"] != float64(429) || h2["Retry-After"] != "5" || h2["Content-Type"] == nil {
		t.Errorf("item 2 (throttled): %v", res["2"])
	}
	if res["3"]["status"] != float64(404) || res["3"]["headers"].(map[string]any)["Content-Type"] == nil {
		t.Errorf("item 3: %v", res["3"])
	}
	if res["4"]["status"] != float64(424) {
		t.Errorf("item 4: %v", res["4"])
	}
	for id, m := range res {
		for k, v := range m["headers"].(map[string]any) {
			if _, ok := v.(string); !ok {
				t.Errorf("item %s header %s is not a string", id, k)
			}
		}
		if b, has := m["body"]; has {
			if _, ok := b.(map[string]any); !ok {
				t.Errorf("item %s body is not an object", id)
			}
		}
	}
	if as, _ := s.DeviceConfigurationAssignments(id); len(as) != 1 {
		t.Errorf("batched assign not applied: %+v", as)
	}
	var many []any
	for i := 0; i < 21; i++ {
		many = append(many, map[string]any{"id": fmt.Sprint(i), "method": "GET", "url": "/deviceManagement/deviceConfigurations"})
	}
	if r := doReq(t, s, "POST", "/beta/$batch", tok, map[string]any{"requests": many}, nil); r.status != 400 {
		t.Errorf("21 items: %d", r.status)
	}
	dup := []any{many[0], many[0]}
	if r := doReq(t, s, "POST", "/beta/$batch", tok, map[string]any{"requests": dup}, nil); r.status != 400 {
		t.Errorf("duplicate ids: %d", r.status)
	}
	logged := 0
	for _, rq := range s.Requests() {
		if rq.BatchItemID != "" {
			logged++
		}
	}
	if logged != 3 {
		t.Errorf("%d batch sub-requests logged, want 3", logged)
	}
}

func TestConcurrentAssign(t *testing.T) {
	s := startEmu(t, func(c *emulator.Config) { c.DisableThrottling = true })
	tok := getToken(t, s, rwClient)
	ids := make([]string, 8)
	for i := range ids {
		ids[i] = s.AddDeviceConfiguration(emulator.DeviceConfiguration{DisplayName: fmt.Sprint(i)})
	}
	done := make(chan error, len(ids)*2)
	for _, id := range ids {
		go func(id string) {
			r := doReq(t, s, "POST", devPath(id, "assign"), tok, map[string]any{"assignments": []any{group(group1), group(group2)}}, nil)
			if r.status != 200 {
				done <- fmt.Errorf("assign %s: %d", id, r.status)
				return
			}
			done <- nil
		}(id)
		go func(id string) {
			r := doReq(t, s, "GET", "/beta/deviceManagement/deviceConfigurations?$expand=assignments", tok, nil, nil)
			if r.status != 200 {
				done <- fmt.Errorf("list: %d", r.status)
				return
			}
			done <- nil
		}(id)
	}
	for i := 0; i < len(ids)*2; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	for _, id := range ids {
		if as, _ := s.DeviceConfigurationAssignments(id); len(as) != 2 {
			t.Errorf("%s: %d assignments", id, len(as))
		}
	}
}
