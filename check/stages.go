//go:build !js

package check

import (
	"strconv"
	"strings"

	"wsplay/core"
)

// Stage is a step of the course at which a learner's half-written server
// can be graded: the cases of a stage need what its lessons teach, and
// every stage before it.
type Stage struct {
	ID    string `json:"id"`    // e.g. "frames", the value of -stage
	Title string `json:"title"` // one line, e.g. "Frames and payload lengths"
	// ZH is Title in Simplified Chinese (TitleIn).
	ZH string `json:"title_zh"`
	// Lessons are the slugs of the lessons that teach what the stage
	// checks, in reading order.
	Lessons []string `json:"lessons"`
}

// Stages in the order of the course. `wsplay check -stage ID` runs a stage
// and every stage before it.
var Stages = []Stage{
	{ID: "handshake", Title: "Opening handshake", ZH: "握手", Lessons: []string{"handshake", "accept"}},
	{ID: "frames", Title: "Frames and payload lengths", ZH: "帧和载荷长度", Lessons: []string{"frame-anatomy", "payload-length"}},
	{ID: "masking", Title: "Masking", ZH: "掩码", Lessons: []string{"masking"}},
	{ID: "fragments", Title: "Fragmented messages", ZH: "分片消息", Lessons: []string{"fragmentation"}},
	{ID: "control", Title: "Ping, pong and control frames", ZH: "ping、pong 和控制帧", Lessons: []string{"control-frames"}},
	{ID: "close", Title: "Closing handshake", ZH: "关闭握手", Lessons: []string{"closing"}},
	{ID: "utf8", Title: "UTF-8", ZH: "UTF-8 校验", Lessons: []string{"utf8"}},
	{ID: "compression", Title: "Compression (permessage-deflate)", ZH: "压缩（permessage-deflate）", Lessons: []string{"handshake", "frame-anatomy"}},
}

// TitleIn returns the stage's title in a language.
func (s Stage) TitleIn(lang string) string {
	if lang == core.LangZH {
		return s.ZH
	}
	return s.Title
}

// StageAll is the -stage value that runs every stage, as "" does.
const StageAll = "all"

// stageIndex returns the position of stage id in Stages; "" and "all" are
// the last stage; -1 for an unknown id.
func stageIndex(id string) int {
	if id == "" || id == StageAll {
		return len(Stages) - 1
	}
	for i, s := range Stages {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// StageError is the error of an unknown stage name.
type StageError struct{ Name string }

func (e *StageError) Error() string {
	return "check: unknown stage " + strconv.Quote(e.Name) + "; the stages are " + StageNames()
}

// StageNames lists the stage ids and "all", comma-separated, for messages.
func StageNames() string {
	var ids []string
	for _, s := range Stages {
		ids = append(ids, s.ID)
	}
	return strings.Join(append(ids, StageAll), ", ")
}

// ValidStage returns a *StageError unless name is a stage id, "all" or "".
func ValidStage(name string) error {
	if stageIndex(name) < 0 {
		return &StageError{Name: name}
	}
	return nil
}

// StageOf returns the stage with the id, and whether there is one.
func StageOf(id string) (Stage, bool) {
	for _, s := range Stages {
		if s.ID == id {
			return s, true
		}
	}
	return Stage{}, false
}
