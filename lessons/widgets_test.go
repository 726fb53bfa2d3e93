//go:build !js

package lessons

import (
	"slices"
	"testing"

	"wsplay/check"
)

// The lessons' checker widget accepts the stages `wsplay check -stage`
// knows, and no other.
func TestCheckerStagesAreTheCheckStages(t *testing.T) {
	want := []string{}
	for _, s := range check.Stages {
		want = append(want, s.ID)
	}
	want = append(want, "all")
	if !slices.Equal(checkStages, want) {
		t.Errorf("lessons accept stages %v; wsplay check has %v", checkStages, want)
	}
}
