//go:build !js

package autobahn

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/coder/websocket"
)

// coderDriver is a client test driver like the ones Autobahn documents:
// it asks /getCaseCount, runs every case with a client built on
// coder/websocket that echoes each message, then asks /updateReports.
// mode is the compression the client offers.
func coderDriver(ctx context.Context, base, agent string, mode websocket.CompressionMode) error {
	c, _, err := websocket.Dial(ctx, base+"/getCaseCount", nil)
	if err != nil {
		return err
	}
	_, msg, err := c.Read(ctx)
	c.CloseNow()
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(string(msg))
	if err != nil {
		return fmt.Errorf("getCaseCount sent %q", msg)
	}
	for i := 1; i <= n; i++ {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		c, _, err := websocket.Dial(cctx, fmt.Sprintf("%s/runCase?case=%d&agent=%s", base, i, agent), &websocket.DialOptions{CompressionMode: mode})
		if err != nil {
			cancel()
			continue
		}
		c.SetReadLimit(64 << 20)
		for {
			typ, b, err := c.Read(cctx)
			if err != nil {
				break
			}
			if err := c.Write(cctx, typ, b); err != nil {
				break
			}
		}
		c.CloseNow()
		cancel()
	}
	c, _, err = websocket.Dial(ctx, base+"/updateReports?agent="+agent, nil)
	if err != nil {
		return err
	}
	_, _, err = c.Read(ctx)
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		err = nil
	}
	c.CloseNow()
	return err
}
