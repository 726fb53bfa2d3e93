// Package micro holds the micro-benchmarks that compare wsplay's core with
// other WebSocket libraries. They live in the bench module, not next to the
// core, so that the comparison libraries never enter the product's go.mod.
//
// Run them with:
//
//	cd bench && go test -run='^$' -bench=. -benchmem ./micro/
package micro
