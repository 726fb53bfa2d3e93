package autobahn

import (
	"context"
	"fmt"
	"testing"
)

func TestSmokeOthers(t *testing.T) {
	for name, url := range map[string]string{"coder": startCoderEcho(t), "naive": startNaive(t)} {
		cs, _ := Select(Cases(), nil, []string{"9.*", "12.*", "13.*"})
		rep, err := Run(context.Background(), url, Options{Agent: name, Cases: cs}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results {
			if r.Outcome != OK {
				fmt.Println(name, r.ID, r.Summary(), r.Result, "|", r.ResultClose, "|", r.Broke, r.Received)
			}
		}
		fmt.Println(name, rep.Count(), rep.Elapsed, len(rep.Results))
	}
}
