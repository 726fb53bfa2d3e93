//go:build !js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"wsplay/check"
	"wsplay/reach"
)

// boardFlags are `wsplay check`'s -report, -nick and -code: where to post
// the run's stage results for the class board (class.go's /class/report).
type boardFlags struct {
	url, nick, code string
}

// check refuses an incomplete set of flags.
func (b *boardFlags) check() error {
	switch {
	case b.url == "" && (b.nick != "" || b.code != ""):
		return errors.New("-nick and -code go with -report URL (the teacher's wsplay, e.g. http://192.168.1.10:8080)")
	case b.url != "" && (strings.TrimSpace(b.nick) == "" || strings.TrimSpace(b.code) == ""):
		return errors.New("-report needs -nick (your nickname on the board) and -code (the class code the teacher's server printed)")
	case b.url != "" && !strings.HasPrefix(strings.ToLower(b.url), "http://"):
		return errors.New("-report takes the teacher's page address, http://HOST:PORT (https is not supported)")
	}
	return nil
}

// reportTimeout bounds the whole report: connecting, sending, the answer.
const reportTimeout = 10 * time.Second

// send posts rep's stage counts, when -report was given, and says what
// happened. It returns false when the report was given and did not make it.
// The teacher's server is a connection made for the user, so it goes
// through reach like the check itself: resolved once, under the command
// line's policy, and dialed at the address allowed.
func (b *boardFlags) send(ctx context.Context, rep *check.Report, allowRemote bool, stderr io.Writer) bool {
	if b.url == "" {
		return true
	}
	if rep.Interrupted {
		fmt.Fprintln(stderr, "wsplay check: the run was interrupted; nothing was sent to the class board")
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, reportTimeout)
	defer cancel()
	base := strings.TrimRight(b.url, "/")
	t, err := reach.Resolve(ctx, "ws://"+base[len("http://"):]+"/class/report", reach.CommandLine(allowRemote), nil)
	if err != nil {
		fmt.Fprintln(stderr, "wsplay check: -report:", err)
		return false
	}
	body, _ := json.Marshal(classReport{Nick: b.nick, Code: b.code, Stages: countStages(rep)})
	client := &http.Client{Transport: &http.Transport{
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return reach.Dial(ctx, t) },
		DisableKeepAlives: true,
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+t.Host+t.Path, bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(stderr, "wsplay check: -report:", err)
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "wsplay check: cannot reach the class board at %s: %v\n", b.url, err)
		return false
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(answer))
		if resp.StatusCode == http.StatusNotFound {
			msg = "no class board there (is it a wsplay server?)"
		}
		fmt.Fprintf(stderr, "wsplay check: the class board refused the report (%s): %s\n", resp.Status, escapeText(msg))
		return false
	}
	var a classReportAnswer
	json.Unmarshal(answer, &a)
	// On standard error: standard output may be the -json report.
	fmt.Fprintf(stderr, "wsplay check: on the class board as %s (self-reported)\n", escapeText(a.Nick))
	return true
}

// escapeText makes text from another server safe to print to a terminal:
// control characters are shown as \x.. instead of acting.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
