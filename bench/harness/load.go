package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// stallTimeout is how long the load generator waits for an echo that does
// not come, before calling the server stuck.
var stallTimeout = 10 * time.Second

// cell is one combination of the load's parameters.
type cell struct {
	conns int
	size  int
	depth int // messages in flight per connection: 1 is the closed loop
	// pieces, when above 1, is how many writes each frame is sent in,
	// gap apart, so that the server's reads see parts of frames, as
	// over a real network; 0 or 1 sends each frame in one write.
	pieces int
	gap    time.Duration
	// deflate: the load generator offers permessage-deflate and sends
	// compressed JSON-like text (see deflate.go).
	deflate bool
}

func (c cell) mode() string {
	m := "closed"
	if c.depth > 1 {
		m = fmt.Sprintf("pipelined %d", c.depth)
	}
	if c.pieces > 1 {
		m += fmt.Sprintf(", in %d pieces", c.pieces)
	}
	if c.deflate {
		m += ", deflate"
	}
	return m
}

func (c cell) String() string {
	return fmt.Sprintf("%d conn × %s, %s", c.conns, sizeName(c.size), c.mode())
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// measurement is what one server did in one cell.
type measurement struct {
	msgs      int64
	elapsed   time.Duration
	latencies []time.Duration // sorted
	server    procDelta
	self      procDelta // the load generator's own use, to tell when it was the bottleneck
	// In a deflate cell, over all its echoes: the compressed bytes the
	// server sent, what they inflated to, and the compressed bytes the
	// load generator sent per message with the plain size.
	zwire, zplain   int64
	zsent, zmessage int
}

// load runs the cell's connections against one server: warm-up, then the
// measured window, bracketed by /proc readings of the server (pid) and of
// the load generator itself.
func load(addr string, pid int, c cell, warmup, window time.Duration) (measurement, error) {
	clients := make([]*client, 0, c.conns)
	defer func() {
		for _, cl := range clients {
			cl.nc.Close()
		}
	}()
	for range c.conns {
		cl, err := dialCell(addr, c)
		if err != nil {
			return measurement{}, fmt.Errorf("opening connection %d: %w", len(clients)+1, err)
		}
		clients = append(clients, cl)
		if c.deflate {
			cl.prepareDeflate(c.size)
		} else {
			cl.prepare(opBinary, c.size)
		}
		cl.pieces, cl.gap = c.pieces, c.gap
	}

	var measuring, stop atomic.Bool
	var counted atomic.Int64 // echoes in the window so far
	lat := make([][]time.Duration, len(clients))
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, cl := range clients {
		wg.Go(func() {
			lat[i] = make([]time.Duration, 0, 1<<14)
			if c.depth == 1 {
				errs[i] = closedLoop(cl, &stop, &measuring, &counted, &lat[i])
			} else {
				errs[i] = pipelined(cl, c.depth, &stop, &measuring, &counted, &lat[i])
			}
		})
	}

	time.Sleep(warmup)
	s0, err0 := readProc(pid)
	me0, _ := readProc(os.Getpid())
	measuring.Store(true)
	t0 := time.Now()
	time.Sleep(window)
	// On a busy machine a short window can pass without one echo; wait
	// for one rather than report a rate of zero (or fail) by bad luck.
	for limit := time.Now().Add(stallTimeout); counted.Load() == 0 && time.Now().Before(limit); {
		time.Sleep(time.Millisecond)
	}
	measuring.Store(false)
	elapsed := time.Since(t0)
	s1, err1 := readProc(pid)
	me1, _ := readProc(os.Getpid())

	stop.Store(true)
	// A server that stopped answering must not hang the run: whatever is
	// still unanswered after this long is a failure.
	deadline := time.Now().Add(stallTimeout)
	for _, cl := range clients {
		cl.nc.SetDeadline(deadline)
	}
	wg.Wait()
	for i, err := range errs {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			errs[i] = fmt.Errorf("connection %d: an echo did not come within %v: the server stopped answering (or lost a message)", i+1, stallTimeout)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return measurement{}, err
	}
	if err := errors.Join(err0, err1); err != nil {
		return measurement{}, fmt.Errorf("reading the server's /proc files: %w", err)
	}
	m := measurement{elapsed: elapsed, server: s1.sub(s0), self: me1.sub(me0)}
	for _, l := range lat {
		m.latencies = append(m.latencies, l...)
	}
	slices.Sort(m.latencies)
	if c.deflate {
		for _, cl := range clients {
			m.zwire += cl.z.wire
			m.zplain += cl.z.plain
		}
		m.zsent, m.zmessage = len(clients[0].frame)-clients[0].off, len(clients[0].want)
	}
	m.msgs = int64(len(m.latencies))
	if m.msgs == 0 {
		return m, fmt.Errorf("no message was echoed in the %v window, nor in the %v after it", window, stallTimeout)
	}
	return m, nil
}

// dialCell opens one of a cell's connections; in a deflate cell the
// server must accept the offer.
func dialCell(addr string, c cell) (*client, error) {
	if !c.deflate {
		return dial(addr, echoPath)
	}
	cl, err := dialOffer(addr, echoPath, deflateOffer)
	if err == nil && cl.z == nil {
		cl.nc.Close()
		return nil, fmt.Errorf("the server declined the offer %q", deflateOffer)
	}
	return cl, err
}

// closedLoop sends one message and waits for its echo, again and again.
func closedLoop(cl *client, stop, measuring *atomic.Bool, counted *atomic.Int64, lat *[]time.Duration) error {
	for !stop.Load() {
		t := time.Now()
		if err := cl.send(); err != nil {
			return err
		}
		if err := cl.receive(); err != nil {
			return err
		}
		if measuring.Load() {
			*lat = append(*lat, time.Since(t))
			counted.Add(1)
		}
	}
	return nil
}

// pipelined keeps depth messages in flight: a writer sends whenever fewer
// are outstanding, a reader takes the echoes in order. A message's latency
// runs from just before its write to the end of its echo's read, queueing
// behind the messages ahead of it included.
func pipelined(cl *client, depth int, stop, measuring *atomic.Bool, counted *atomic.Int64, lat *[]time.Duration) error {
	slots := make(chan struct{}, depth) // one token per message in flight
	sent := make(chan time.Time, depth) // send times, in order
	done := make(chan struct{})         // the reader failed
	var werr error
	go func() {
		defer close(sent)
		for {
			select {
			case slots <- struct{}{}:
			case <-done:
				return
			}
			if stop.Load() {
				return
			}
			sent <- time.Now()
			if werr = cl.send(); werr != nil {
				return
			}
		}
	}()
	for t := range sent {
		if err := cl.receive(); err != nil {
			close(done)
			cl.nc.Close()
			for range sent {
			}
			return err
		}
		if measuring.Load() {
			*lat = append(*lat, time.Since(t))
			counted.Add(1)
		}
		<-slots
	}
	return werr
}

// percentile returns the nearest-rank p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// idleMemory opens n connections, echoes one message on each, lets the
// server settle, and returns its VmRSS before and after, in bytes.
//
// With deflate, every connection negotiates permessage-deflate and its one
// message is 1 KiB of compressed text: what an idle connection keeps after
// it has used the extension once.
func idleMemory(addr string, pid, n int, settle time.Duration, deflate bool) (before, after int64, err error) {
	c := cell{size: 16, deflate: deflate}
	if deflate {
		c.size = 1024
	}
	prepare := func(cl *client) {
		if deflate {
			cl.prepareDeflate(c.size)
		} else {
			cl.prepare(opBinary, c.size)
		}
	}
	// One connection first, so that what every server allocates once for
	// its first client is not counted per connection.
	cl, err := dialCell(addr, c)
	if err != nil {
		return 0, 0, err
	}
	prepare(cl)
	err = errors.Join(cl.send(), cl.receive())
	cl.nc.Close()
	if err != nil {
		return 0, 0, err
	}
	time.Sleep(settle)
	if before, err = readRSS(pid); err != nil {
		return 0, 0, err
	}

	clients := make([]*client, n)
	defer func() {
		for _, cl := range clients {
			if cl != nil {
				cl.nc.Close()
			}
		}
	}()
	const dialers = 16
	errs := make([]error, dialers)
	var wg sync.WaitGroup
	for d := range dialers {
		wg.Go(func() {
			for i := d; i < n && errs[d] == nil; i += dialers {
				cl, err := dialCell(addr, c)
				if err != nil {
					errs[d] = fmt.Errorf("opening idle connection %d of %d: %w", i+1, n, err)
					return
				}
				clients[i] = cl
				prepare(cl)
				cl.nc.SetDeadline(time.Now().Add(10 * time.Second))
				if err := errors.Join(cl.send(), cl.receive()); err != nil {
					errs[d] = fmt.Errorf("idle connection %d of %d: %w", i+1, n, err)
					return
				}
				cl.nc.SetDeadline(time.Time{})
				cl.buf, cl.want, cl.frame, cl.z = nil, nil, nil, nil
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, 0, err
	}
	time.Sleep(settle)
	after, err = readRSS(pid)
	return before, after, err
}
