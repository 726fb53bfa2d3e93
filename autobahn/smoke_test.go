package autobahn

import (
	"context"
	"fmt"
	"os"
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

func TestSmokeReport(t *testing.T) {
	url := startCoreEcho(t)
	cs, _ := Select(Cases(), []string{"1.1.1", "2.*", "12.1.1"}, nil)
	rep, err := Run(context.Background(), url, Options{Agent: "core/1.0", Cases: cs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep.Results[3].Outcome = Failed
	rep.Results[3].explain(cs[3], nil, "http://x")
	if err := WriteDir("/tmp/abrep", rep); err != nil {
		t.Fatal(err)
	}
	WriteText(os.Stdout, rep, true)
}

func TestSmokeClient(t *testing.T) {
	cs, _ := Select(Cases(), nil, []string{"9.*", "12.*", "13.*"})
	var got []*Report
	fs := &FuzzingServer{Cases: cs, OnUpdate: func(r []*Report) error { got = r; return nil }}
	url := serveHTTP(t, fs)
	if err := coderDriver(context.Background(), url, "coder"); err != nil {
		t.Fatal(err)
	}
	for _, r := range got[0].Results {
		if r.Outcome != OK {
			fmt.Println(r.ID, r.Summary(), r.Result, "|", r.ResultClose, "|", r.Broke, r.Received)
		}
	}
	fmt.Println(got[0].Count(), got[0].Elapsed, len(got[0].Results))
}
