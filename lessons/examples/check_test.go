//go:build !js

package examples_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"wsplay/check"
)

// TestLessonServersPassWsplayCheck runs `wsplay check`'s whole suite against
// the servers lesson 11 builds: a learner who follows the lesson ends with a
// server the checker passes without a failure or a warning.
func TestLessonServersPassWsplayCheck(t *testing.T) {
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			addr := s.start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			opts := check.Options{Timeout: 5 * time.Second, LargeSizes: []int{1 << 20}}
			rep, err := check.Run(ctx, "ws://"+addr+"/", opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			tw := &check.TextWriter{W: &b}
			bad := 0
			for _, r := range rep.Results {
				if r.Status != check.Pass {
					bad++
					tw.Result(r)
				}
			}
			if bad > 0 || len(rep.Results) == 0 {
				t.Errorf("%d of %d cases did not pass:\n%s", bad, len(rep.Results), b.String())
			}
		})
	}
}
