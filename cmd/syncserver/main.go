// Command syncserver runs Cairn's sync server: it owns file-backed
// databases under a data directory and serves peers over WebSockets.
package main

import (
	"fmt"
	"os"
)

func main() {
	c, err := loadConfig(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "syncserver:", err)
		os.Exit(2)
	}
	_ = c
}
