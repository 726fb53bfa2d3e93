package lessons

// The compression lesson's computations (RFC 7692): a message compressed
// the way a browser's zlib does it (one DEFLATE stream for the whole
// connection, so a message may refer back to the ones before it) or the
// way wsplay's core does it (a fresh stream per message), the tail the
// sync flush leaves and §7.2.1 removes, and every compressed payload read
// back by the core's own inflater, as a client that negotiated
// permessage-deflate reads a server's frames. The lessons run natively,
// so compress/flate is there; the WebAssembly module has no codec.

import (
	"bytes"
	"compress/flate"
	"errors"
	"html"
	"io"
	"strconv"

	"wsplay/core"
)

// syncTail is what every sync flush ends with, an empty stored block, and
// what RFC 7692 §7.2.1 removes from each compressed message.
var syncTail = []byte{0x00, 0x00, 0xff, 0xff}

// The compressors a deflate example or a compress widget can show.
const (
	compressorTakeover = "takeover" // one stream across messages, like a browser's zlib
	compressorWsplay   = "wsplay"   // core.AppendDeflate: a fresh stream per message
)

// maxDeflateMessages bounds `messages:`: a table, not a loop.
const maxDeflateMessages = 4

// deflateRow is one message of the table: its compressed payload as sent
// (the tail removed) and what the core inflated it to.
type deflateRow struct {
	compressed []byte
	inflated   string
}

// compressMessages compresses text n times as compressor does, and
// returns each payload without its tail, and the tail the first flush
// ended with.
func compressMessages(text string, n int, compressor string) (payloads [][]byte, tail []byte) {
	if compressor == compressorWsplay {
		for range n {
			payloads = append(payloads, core.AppendDeflate(nil, []byte(text), core.MaxWindowBits))
		}
		// AppendDeflate removes the tail itself; what it removed is
		// what a sync flush of compress/flate writes.
		var buf bytes.Buffer
		fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
		fw.Write([]byte(text))
		fw.Flush()
		return payloads, buf.Bytes()[max(0, buf.Len()-len(syncTail)):]
	}
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.DefaultCompression) // only an invalid level fails
	for i := range n {
		start := buf.Len()
		fw.Write([]byte(text)) // a bytes.Buffer never fails
		fw.Flush()
		out := buf.Bytes()[start:]
		cut := max(0, len(out)-len(syncTail))
		if i == 0 {
			tail = append([]byte(nil), out[cut:]...)
		}
		payloads = append(payloads, append([]byte(nil), out[:cut]...))
	}
	return payloads, tail
}

// serverFrames writes each payload as a server sends a compressed text
// message (RFC 7692 §6): one final frame, RSV1 set, not masked.
func serverFrames(payloads [][]byte) []byte {
	var wire []byte
	for _, p := range payloads {
		h := core.FrameHeader{Fin: true, Rsv: 0x4, Opcode: core.OpText, Length: uint64(len(p))}
		wire = core.AppendFrame(wire, h, p)
	}
	return wire
}

// inflateWire reads a server's frames as a client that negotiated
// permessage-deflate with context takeover both ways: the core inflates
// each compressed message, with the messages before it as its dictionary.
// It returns the messages read, and an error when reading stopped for any
// reason but the end of the bytes.
func inflateWire(wire []byte) ([]string, error) {
	params := &core.DeflateParams{ServerMaxWindowBits: core.MaxWindowBits, ClientMaxWindowBits: core.MaxWindowBits}
	rw := struct {
		io.Reader
		io.Writer
	}{bytes.NewReader(wire), io.Discard}
	c := core.NewConn(rw, nil, core.Client, core.Config{Deflate: params})
	var msgs []string
	for {
		_, p, err := c.ReadMessage(nil)
		if err != nil {
			var ce *core.CloseError
			if errors.As(err, &ce) && ce.Code == core.StatusAbnormalClosure {
				return msgs, nil
			}
			return msgs, err
		}
		msgs = append(msgs, string(p))
	}
}

// deflateRows inflates the payloads through the core and pairs them with
// what they inflated to.
func deflateRows(payloads [][]byte) ([]deflateRow, error) {
	msgs, err := inflateWire(serverFrames(payloads))
	if err == nil && len(msgs) != len(payloads) {
		err = errors.New("the core read " + strconv.Itoa(len(msgs)) + " messages from " + strconv.Itoa(len(payloads)))
	}
	if err != nil {
		return nil, err
	}
	rows := make([]deflateRow, len(payloads))
	for i, p := range payloads {
		rows[i] = deflateRow{compressed: p, inflated: msgs[i]}
	}
	return rows, nil
}

// browserOffer is what Chromium, Firefox and Safari offer.
const browserOffer = "permessage-deflate; client_max_window_bits"

// browserAnswer is wsplay's answer to a browser's offer, computed by the
// core.
func browserAnswer() string {
	answer, _, _ := core.NegotiateDeflate([]string{browserOffer}, core.DeflateOptions{})
	if answer == nil {
		return ""
	}
	return answer.String()
}

// checkDeflateExample checks a deflate example: every stated compressed
// payload inflates, through the core, to the text (after the messages
// before it, with context takeover); with compressor wsplay it is also
// byte for byte what core.AppendDeflate writes; the tail is what the
// sync flush wrote; the wire's frames read back as the text.
func checkDeflateExample(b *Block, line int) []fieldError {
	what := "example deflate"
	optional := []string{"messages", "compressor", "tail", "wire"}
	for i := 1; i <= maxDeflateMessages; i++ {
		optional = append(optional, "message-"+strconv.Itoa(i))
	}
	errs := b.allowOnly(line, what, []string{"text"}, optional)
	if len(errs) > 0 {
		return errs
	}
	n, compressor, msg := deflateSettings(b)
	if msg != "" {
		return []fieldError{{line, what + ": " + msg}}
	}
	text := b.Params["text"]
	computed, tail := compressMessages(text, n, compressor)
	payloads, ferrs := statedPayloads(b, n, computed)
	errs = append(errs, ferrs...)
	for i := n + 1; i <= maxDeflateMessages; i++ {
		if _, ok := b.Params["message-"+strconv.Itoa(i)]; ok {
			errs = append(errs, fieldError{b.lineOf("message-" + strconv.Itoa(i)), what + ": message-" + strconv.Itoa(i) + " but messages is " + strconv.Itoa(n)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	for i, p := range payloads {
		name := "message-" + strconv.Itoa(i+1)
		if _, stated := b.Params[name]; !stated {
			continue
		}
		if compressor == compressorWsplay && !bytes.Equal(p, computed[i]) {
			errs = append(errs, fieldError{b.lineOf(name), what + ": " + name + " is " + strconv.Quote(b.Params[name]) + " but core.AppendDeflate writes " + strconv.Quote(hexString(computed[i]))})
			continue
		}
		msgs, err := inflateWire(serverFrames(payloads[:i+1]))
		if err != nil || len(msgs) != i+1 || msgs[i] != text {
			got := "an error"
			if err != nil {
				got = err.Error()
			} else if len(msgs) == i+1 {
				got = strconv.Quote(msgs[i])
			}
			errs = append(errs, fieldError{b.lineOf(name), what + ": " + name + " does not inflate to " + strconv.Quote(text) + " after the messages before it: the core reads " + got})
		}
	}
	if v, ok := b.Params["tail"]; ok {
		stated, msg := parseHex(v)
		if msg != "" || !bytes.Equal(stated, tail) || !bytes.Equal(tail, syncTail) {
			errs = append(errs, fieldError{b.lineOf("tail"), what + ": tail is " + strconv.Quote(v) + " but the sync flush ended with " + strconv.Quote(hexString(tail))})
		}
	}
	if v, ok := b.Params["wire"]; ok {
		raw, msg := parseHex(v)
		if msg != "" {
			return append(errs, fieldError{b.lineOf("wire"), what + ": wire: " + msg})
		}
		msgs, err := inflateWire(raw)
		switch {
		case err != nil:
			errs = append(errs, fieldError{b.lineOf("wire"), what + ": the core reads the wire as a client with permessage-deflate and fails: " + err.Error()})
		case len(msgs) == 0:
			errs = append(errs, fieldError{b.lineOf("wire"), what + ": the wire holds no whole message"})
		default:
			for _, m := range msgs {
				if m != text {
					errs = append(errs, fieldError{b.lineOf("wire"), what + ": the wire holds the message " + strconv.Quote(m) + ", not " + strconv.Quote(text)})
					break
				}
			}
		}
	}
	return errs
}

// deflateSettings reads `messages:` and `compressor:`.
func deflateSettings(b *Block) (n int, compressor, msg string) {
	n = 1
	if v, ok := b.Params["messages"]; ok {
		var err error
		n, err = strconv.Atoi(v)
		if err != nil || n < 1 || n > maxDeflateMessages {
			return 0, "", "messages is a number from 1 to " + strconv.Itoa(maxDeflateMessages) + ", not " + strconv.Quote(v)
		}
	}
	compressor = or(b.Params["compressor"], compressorTakeover)
	if compressor != compressorTakeover && compressor != compressorWsplay {
		return 0, "", "compressor is " + compressorTakeover + " or " + compressorWsplay + ", not " + strconv.Quote(compressor)
	}
	return n, compressor, ""
}

// statedPayloads returns the payloads an example shows: each stated
// message-N, else the computed one.
func statedPayloads(b *Block, n int, computed [][]byte) ([][]byte, []fieldError) {
	var errs []fieldError
	payloads := make([][]byte, n)
	for i := range n {
		payloads[i] = computed[i]
		name := "message-" + strconv.Itoa(i+1)
		if v, ok := b.Params[name]; ok {
			p, msg := parseHex(v)
			if msg != "" {
				errs = append(errs, fieldError{b.lineOf(name), "example deflate: " + name + ": " + msg})
				continue
			}
			payloads[i] = p
		}
	}
	return payloads, errs
}

// compressColumns are the compression table's column headings, as
// widgets/compress.js (COMPRESS_COLUMNS) shows them.
var compressColumns = []string{"compress.colMessage", "compress.colRsv1", "compress.colPayload", "compress.colBytes", "compress.colSaved", "compress.colInflated"}

// writeCompressTable writes the rows as widgets/compress.js's table: the
// message's number, RSV1 on its first frame, the compressed payload, its
// size against the text's, the bytes saved (negative when compression
// made it longer) and the text the core inflated it to.
func writeCompressTable(w *bytes.Buffer, caption string, rows []deflateRow, words words) {
	esc := html.EscapeString
	w.WriteString("<table class=\"compress-table\">\n<caption>" + caption + "</caption>\n")
	writeHeads(w, compressColumns, words)
	w.WriteString("<tbody>\n")
	for i, r := range rows {
		saved := len(r.inflated) - len(r.compressed)
		w.WriteString("<tr><td class=\"mono\">" + itoa(i+1) + "</td><td class=\"mono\">1</td><td class=\"mono\">" + esc(hexString(r.compressed)) +
			"</td><td class=\"mono\">" + esc(words.text("compress.bytes", "z", itoa(len(r.compressed)), "n", itoa(len(r.inflated)))) +
			"</td><td class=\"mono\">" + strconv.Itoa(saved) + "</td><td>" + esc(r.inflated) + "</td></tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n")
}

// writeDeflateExample renders a deflate example: the table of its
// messages, the removed tail and the frames, each checked at load.
func writeDeflateExample(w *bytes.Buffer, b *Block, words words) {
	esc := html.EscapeString
	n, compressor, _ := deflateSettings(b)
	computed, _ := compressMessages(b.Params["text"], n, compressor)
	payloads, _ := statedPayloads(b, n, computed)
	rows, err := deflateRows(payloads)
	if err != nil {
		return // checkDeflateExample refused the course already
	}
	kind := words.text("compress.exampleKind")
	w.WriteString("<figure class=\"example\" data-example=\"deflate\">\n<figcaption>" + words.html("fallback.exampleCaption", "kind", esc(kind)) + "</figcaption>\n")
	writeCompressTable(w, words.html("compress.caption."+compressor, "text", "<q>"+esc(b.Params["text"])+"</q>"), rows, words)
	for _, name := range []string{"tail", "wire"} {
		if v, ok := b.Params[name]; ok {
			w.WriteString("<p class=\"compress-" + name + "\">" + words.html("compress."+name) + " <code>" + esc(v) + "</code></p>\n")
		}
	}
	w.WriteString("</figure>\n")
}

// writeCompressFallback writes what widgets/compress.js shows for text
// sent twice, computed here: the offer a browser makes and wsplay's
// answer, then the table, with the compressor a browser uses (one stream,
// context taken over).
func writeCompressFallback(w *bytes.Buffer, text string, words words) {
	esc := html.EscapeString
	payloads, _ := compressMessages(text, 2, compressorTakeover)
	rows, err := deflateRows(payloads)
	if err != nil {
		w.WriteString("<p class=\"problem\">" + esc(err.Error()) + "</p>\n")
		return
	}
	w.WriteString("<dl class=\"compress-handshake\">\n<dt>" + words.html("compress.offer") + "</dt><dd><code>" + esc(browserOffer) + "</code></dd>\n")
	w.WriteString("<dt>" + words.html("compress.answer") + "</dt><dd><code>" + esc(browserAnswer()) + "</code></dd>\n</dl>\n")
	writeCompressTable(w, words.html("compress.caption.fallback", "text", "<q>"+esc(text)+"</q>"), rows, words)
}
