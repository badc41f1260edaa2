package cli

import (
	"net"

	"mosaic/internal/textutil"
)

// listenName names the address serve listens on as the user wrote it, and
// says when it means every interface: Go reports a listener on 0.0.0.0 as
// [::], which is not what the user typed.
func listenName(given string, ln net.Addr) string {
	name := textutil.Escape(given)
	host, _, err := net.SplitHostPort(given)
	if err != nil {
		return name
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return name + " (every interface of this machine)"
	}
	if tcp, ok := ln.(*net.TCPAddr); ok && tcp.IP != nil && tcp.IP.String() != host {
		return name + " (" + tcp.IP.String() + ")"
	}
	return name
}
