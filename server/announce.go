//go:build !js

package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
)

// announce prints the URL to open. Bound beyond loopback, it prints the
// addresses a teacher can share with the class, and a warning: anyone on
// the network can then reach the server.
func announce(w io.Writer, addr *net.TCPAddr, asked string) {
	port := strconv.Itoa(addr.Port)
	if addr.IP.IsLoopback() {
		fmt.Fprintf(w, "wsplay: open http://%s/\n", net.JoinHostPort(addr.IP.String(), port))
		fmt.Fprintf(w, "wsplay: only this machine can reach it; for a class, start it with -addr 0.0.0.0:%s (make run ADDR=0.0.0.0:%s)\n", port, port)
		return
	}
	var urls []string
	if addr.IP.IsUnspecified() {
		urls = lanURLs(port)
		fmt.Fprintf(w, "wsplay: open http://%s/ on this machine\n", net.JoinHostPort("127.0.0.1", port))
	} else {
		urls = []string{"http://" + net.JoinHostPort(addr.IP.String(), port) + "/"}
		fmt.Fprintf(w, "wsplay: open %s\n", urls[0])
	}
	for _, u := range urls {
		fmt.Fprintf(w, "wsplay: share on the network: %s\n", u)
	}
	fmt.Fprintf(w, "wsplay: warning: listening on %s, beyond this machine: anyone on the network can open the page and its WebSockets\n", asked)
	fmt.Fprintf(w, "wsplay: it answers to this machine's addresses and host name; if students reach it by another name, add -host NAME\n")
}

// lanURLs lists a URL for every non-loopback address of the machine's
// interfaces that are up.
func lanURLs(port string) []string {
	var urls []string
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			urls = append(urls, "http://"+net.JoinHostPort(ipn.IP.String(), port)+"/")
		}
	}
	return urls
}
