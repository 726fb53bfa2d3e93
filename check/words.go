//go:build !js

package check

import (
	"fmt"
	"time"

	"wsplay/core"
)

// The check's own prose — case titles, verdicts, the paragraphs that say
// why and how to fix, the diagnoses, the report's labels — is written
// where it is used, English and Chinese side by side in a core.Words, and
// chosen by Options.Lang when a report is made. Protocol words (rules,
// field meanings, close-code names, the Accept steps) are core's
// (core/rules*.go, core/words.go) and are cited, never worded again.

// tr pairs the English and Chinese text of one sentence.
func tr(en, zh string) core.Words { return core.Words{EN: en, ZH: zh} }

// sayf formats each language of w with the same arguments, each argument
// written in that language: an Opcode, a StatusCode, a core.Words or a
// time.Duration says itself in the language; anything else as %v does.
func sayf(w core.Words, a ...any) core.Words {
	return core.Words{EN: fmt.Sprintf(w.EN, localize(a, core.LangEN)...), ZH: fmt.Sprintf(w.ZH, localize(a, core.LangZH)...)}
}

func localize(a []any, lang string) []any {
	out := make([]any, len(a))
	for i, v := range a {
		switch v := v.(type) {
		case core.Words:
			out[i] = v.In(lang)
		case core.StatusCode:
			out[i] = v.StringIn(lang)
		case core.Opcode:
			out[i] = messageKind(v, lang)
		case time.Duration:
			out[i] = v.String()
		default:
			out[i] = v
		}
	}
	return out
}

// messageKind names a message by its opcode: "text", "binary"; in Chinese
// 文本, 二进制.
func messageKind(op core.Opcode, lang string) string {
	if lang != core.LangZH {
		return op.String()
	}
	switch op {
	case core.OpText:
		return "文本"
	case core.OpBinary:
		return "二进制"
	case core.OpContinuation:
		return "延续"
	case core.OpClose:
		return "关闭"
	}
	return op.String()
}

// join appends b to a, a space between English sentences and none between
// Chinese ones.
func join(a, b core.Words) core.Words {
	if a.EN == "" {
		return b
	}
	return core.Words{EN: a.EN + " " + b.EN, ZH: a.ZH + b.ZH}
}

// label returns one of the report's labels in a language.
func label(id, lang string) string {
	if w, ok := labels[id]; ok {
		return w.In(lang)
	}
	return id
}

// labels are the words of the text and HTML reports around the results.
var labels = map[string]core.Words{
	"time-limit":   {EN: "time limit %s per case", ZH: "每个用例限时 %s"},
	"first-this":   {EN: "First, this:", ZH: "先看这一条："},
	"lesson":       {EN: "lesson", ZH: "课程"},
	"seen-in":      {EN: "seen in", ZH: "出现于"},
	"got":          {EN: "got", ZH: "结果"},
	"sent":         {EN: "sent", ZH: "发送"},
	"received":     {EN: "received", ZH: "收到"},
	"nothing":      {EN: "nothing", ZH: "什么也没有"},
	"rule":         {EN: "rule", ZH: "规则"},
	"why":          {EN: "why", ZH: "原因"},
	"summary":      {EN: "Summary", ZH: "小结"},
	"not-yet":      {EN: "not yet", ZH: "尚未实现"},
	"not-run":      {EN: " (%d more cases of this stage not run)", ZH: "（本阶段另有 %d 个用例未运行）"},
	"read":         {EN: "read %s", ZH: "请读 %s"},
	"and":          {EN: " and ", ZH: " 和 "},
	"passed-of":    {EN: "%2d/%-2d passed", ZH: "%2d/%-2d 通过"},
	"warnings":     {EN: ", %d warnings", ZH: "，%d 个警告"},
	"failed-n":     {EN: ", %d failed", ZH: "，%d 个失败"},
	"not-tried":    {EN: "  Not tried: %s (each stage needs the ones before it).", ZH: "  未尝试：%s（每个阶段都需要之前的阶段）。"},
	"all-passed":   {EN: "every case passed", ZH: "所有用例都通过了"},
	"only-not-yet": {EN: "%d cases failed, only in a stage your server does not do yet", ZH: "%d 个用例失败，都在你的服务器尚未实现的阶段"},
	"some-failed":  {EN: "%d cases failed", ZH: "%d 个用例失败"},
	"no-fail":      {EN: "nothing failed (%d warnings)", ZH: "没有失败（%d 个警告）"},
	"totals":       {EN: "%d passed, %d warnings, %d failed in %s: ", ZH: "%d 个通过，%d 个警告，%d 个失败，用时 %s："},
	"interrupted":  {EN: "The run was interrupted before every case ran.", ZH: "运行在所有用例完成之前被中断了。"},
	"stage-of":     {EN: "Stage %d of %d: %s", ZH: "第 %d 阶段（共 %d 个）：%s"},
	// The HTML report's.
	"html.first":        {EN: "First, this", ZH: "先看这一条"},
	"html.lesson":       {EN: "Lesson", ZH: "课程"},
	"html.stage":        {EN: "Stage", ZH: "阶段"},
	"html.passed":       {EN: "Passed", ZH: "通过"},
	"html.warnings":     {EN: "Warnings", ZH: "警告"},
	"html.failed":       {EN: "Failed", ZH: "失败"},
	"html.not-yet":      {EN: "not yet", ZH: "尚未实现"},
	"html.more-not-run": {EN: "more not run", ZH: "个未运行"},
	"html.not-tried":    {EN: "Not tried:", ZH: "未尝试："},
	"html.needs-before": {EN: "(each stage needs the ones before it).", ZH: "（每个阶段都需要之前的阶段）。"},
	"html.what":         {EN: "What happened", ZH: "发生了什么"},
	"html.sent":         {EN: "Sent", ZH: "发送"},
	"html.received":     {EN: "Received", ZH: "收到"},
	"html.nothing":      {EN: "nothing", ZH: "什么也没有"},
	"html.rule":         {EN: "Rule", ZH: "规则"},
	"html.why":          {EN: "Why", ZH: "原因"},
}

// labelf is label formatted with a.
func labelf(id, lang string, a ...any) string { return fmt.Sprintf(label(id, lang), a...) }

// langOr returns lang when it is a language of the report, else English.
func langOr(lang string) string {
	if core.ValidLang(lang) {
		return lang
	}
	return core.LangEN
}
