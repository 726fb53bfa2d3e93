package autobahn

import (
	"context"
	"fmt"
	"testing"
)

func TestSmoke(t *testing.T) {
	url := startCoreEcho(t)
	cs, _ := Select(Cases(), nil, []string{"9.*", "12.*", "13.*"})
	rep, err := Run(context.Background(), url, Options{Agent: "core", Cases: cs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Outcome != OK {
			fmt.Println(r.ID, r.Summary(), r.Result, "|", r.ResultClose, "|", r.Broke, r.Received)
		}
	}
	fmt.Println(rep.Count(), rep.Elapsed, len(rep.Results))
}
